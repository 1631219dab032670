# The two commands of the README, and a few helpers.
.PHONY: run test lint format messages

run: ## start web, Celery worker and beat with demo data (embedded PostgreSQL unless DATABASE_URL is set)
	./scripts/bootstrap.sh
	.venv/bin/python scripts/run_app.py

test: ## install what the tests need and run them all
	./scripts/test.sh

lint: ## ruff, the import contracts (import-linter) and the types (mypy with django-stubs)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

messages: ## refresh the translation catalogues and compile them
	.venv/bin/python manage.py makemessages -l en -l ja --no-obsolete --no-location
	.venv/bin/python manage.py compilemessages
