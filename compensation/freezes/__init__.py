"""Pages of the receiving side of the Remedy Act: freeze cases (口座凍結), the victims'
applications, the four-eyes distribution and its decision table (docs/domain.md §9.1)."""
