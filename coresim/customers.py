"""The simulator's customers: the accounts of the demo data (incidents/devdata/demo.py).

Keyed by (branch code, account number); written out again here because the simulator imports
nothing of Mamori.
"""

from __future__ import annotations

CUSTOMERS: dict[tuple[str, str], dict[str, str]] = {
    ("001", "1234567"): {
        "name": "山田 太郎",
        "kana": "ヤマダ タロウ",
        "birth_date": "1958-04-12",
        "phone": "090-1234-5678",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内1-1-1",
    },
    ("001", "7654321"): {
        "name": "中村 由美",
        "kana": "ナカムラ ユミ",
        "birth_date": "1949-11-03",
        "phone": "03-3211-0001",
        "postal_code": "104-0061",
        "address": "東京都中央区銀座4-2-15",
    },
    ("001", "2223334"): {
        "name": "小林 誠",
        "kana": "コバヤシ マコト",
        "birth_date": "1975-07-21",
        "phone": "080-2222-3334",
        "postal_code": "135-0091",
        "address": "東京都港区台場2-3-1",
    },
    ("002", "5556667"): {
        "name": "加藤 恵子",
        "kana": "カトウ ケイコ",
        "birth_date": "1962-02-28",
        "phone": "03-5321-0002",
        "postal_code": "160-0023",
        "address": "東京都新宿区西新宿2-8-1",
    },
    ("001", "3332221"): {
        "name": "松本 さくら",
        "kana": "マツモト サクラ",
        "birth_date": "1990-03-30",
        "phone": "070-3332-2210",
        "postal_code": "113-0033",
        "address": "東京都文京区本郷7-3-1",
    },
    ("001", "4445556"): {
        "name": "森 健太",
        "kana": "モリ ケンタ",
        "birth_date": "1983-09-09",
        "phone": "090-4445-5560",
        "postal_code": "150-0002",
        "address": "東京都渋谷区渋谷2-21-1",
    },
    ("001", "8889990"): {
        "name": "吉田 優",
        "kana": "ヨシダ ユウ",
        "birth_date": "2001-12-01",
        "phone": "080-8889-9900",
        "postal_code": "171-0022",
        "address": "東京都豊島区南池袋1-28-1",
    },
    ("001", "5550001"): {
        "name": "井上 直樹",
        "kana": "イノウエ ナオキ",
        "birth_date": "1970-05-05",
        "phone": "090-5550-0010",
        "postal_code": "103-0027",
        "address": "東京都中央区日本橋1-4-1",
    },
}
