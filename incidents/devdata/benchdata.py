# ruff: noqa: S608 — the SQL is assembled from this module's constants; values go as parameters.
"""Realistic cases in bulk for benchmarks (``python manage.py seed_bench --cases N``).

The intake services write a case in dozens of statements; a million cases that way would take
hours. Here each table is filled by one ``INSERT … SELECT`` over ``generate_series`` per chunk,
with the same shapes the services produce: numbered cases over 20 branches (about 10% open, the
open ones mostly recent), one or two items with their stops, unauthorized transactions, timeline
entries, and the deadlines owed on open cases. The search column is built from name lists whose
normalized forms come from ``incidents.models.search``, so the queue finds these cases as it finds any.
One case in 16 is a corporate customer's; transactions go to a few hundred ATMs and to many
receiving accounts (some more than once, part of some online-banking transfers recovered), so the
statistics and the links between cases have realistic work to do.

Bulk rows skip the row triggers (``session_replication_role = replica``): the generated data is
consistent by construction, and synthetic cases have no change history to record.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from incidents.models import Branch, User, search
from incidents.models.choices import Role

BENCH_PASSWORD = "mamori-bench-2026"  # noqa: S105 — documented, for synthetic data only

BRANCH_NAMES = [
    "札幌", "仙台", "大宮", "千葉", "横浜", "川崎", "新潟", "静岡", "名古屋", "京都",
    "大阪", "神戸", "岡山", "広島", "高松", "松山", "福岡", "熊本", "鹿児島", "那覇",
]  # fmt: skip
FAMILY = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
]  # fmt: skip
GIVEN = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("美咲", "ミサキ"),
    ("健一", "ケンイチ"), ("由美", "ユミ"), ("誠", "マコト"), ("恵子", "ケイコ"),
    ("翔太", "ショウタ"), ("陽子", "ヨウコ"), ("大輔", "ダイスケ"), ("直子", "ナオコ"),
    ("拓也", "タクヤ"), ("真由美", "マユミ"), ("浩", "ヒロシ"), ("智子", "トモコ"),
    ("健太", "ケンタ"), ("裕子", "ユウコ"), ("隆", "タカシ"), ("久美子", "クミコ"),
    ("優", "ユウ"), ("明美", "アケミ"), ("修", "オサム"), ("幸子", "サチコ"),
]  # fmt: skip

# (item kind, item state, share of cases in ‰ cumulative, stops) — the commonest reports first.
ITEM_KINDS = [
    ("cash_card", "stolen", 350, ("card_suspend",)),
    ("cash_card", "lost", 550, ("card_suspend",)),
    ("cash_card", "counterfeit", 650, ("card_suspend", "card_reissue_ic")),
    ("passbook", "stolen", 750, ("payment_stop", "seal_check")),
    ("online_banking", "credentials_stolen", 950, ("ib_suspend", "ib_reset")),
    ("seal", "stolen", 1000, ("seal_change", "payment_stop")),
]
CHANNEL_BY_KIND = {
    "cash_card": "atm_withdrawal",
    "passbook": "counter_withdrawal",
    "online_banking": "online_transfer",
    "seal": "counter_withdrawal",
}


# Where the money went: ATMs (counterfeit cards are used at a few hundred machines, so the links
# find possible skimming points) and receiving accounts (many once, some again and again).
ATM_COUNT = 600
PAYEE_COUNT = 150_000
PAYEE_BANKS = ["みらい銀行", "さくら信用金庫", "ひかり銀行", "あおば銀行", "ネット銀行",
               "みなと信用組合", "やまびこ銀行", "つばさ労働金庫"]  # fmt: skip
PAYEE_BRANCHES = ["本店", "新宿支店", "梅田支店", "栄支店", "天神支店", "札幌支店", "仙台支店",
                  "横浜支店", "神戸支店", "広島支店"]  # fmt: skip
CORPORATE_EVERY = 16  # one case in 16 is a corporate customer's
RECOVERED_SHARE = 0.2  # online-banking transfers partly recovered (組戻し)


def atm_names() -> list[str]:
    """The bench ATMs, e.g. 「札幌駅前ATM 3」."""
    return [f"{BRANCH_NAMES[i % len(BRANCH_NAMES)]}駅前ATM {i // len(BRANCH_NAMES) + 1}"
            for i in range(ATM_COUNT)]  # fmt: skip


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def bench_staff(*, branches: int) -> tuple[list[Branch], dict[int, list[int]]]:
    """The bench branches (codes 101…) with a supervisor and three tellers each."""
    password = make_password(BENCH_PASSWORD)
    made, staff = [], {}
    for index in range(branches):
        code = f"{101 + index:03d}"
        name = BRANCH_NAMES[index % len(BRANCH_NAMES)] + "支店"
        branch, _created = Branch.objects.get_or_create(code=code, defaults={"name": name})
        made.append(branch)
        ids = []
        for role, count in ((Role.SUPERVISOR, 1), (Role.TELLER, 3)):
            for n in range(count):
                user, _created = User.objects.get_or_create(
                    username=f"bench_{role}_{code}_{n}",
                    defaults={
                        "role": role,
                        "branch": branch,
                        "last_name": FAMILY[(index + n) % len(FAMILY)][0],
                        "first_name": GIVEN[(index * 3 + n) % len(GIVEN)][0],
                        "password": password,
                    },
                )
                ids.append(user.pk)
        staff[branch.pk] = ids
    return made, staff


def bench_seed(
    *, cases: int, branches: int = 20, chunk: int = 100_000, log: Callable[[str], None] = print
) -> int:
    """Create ``cases`` realistic cases over ``branches`` bench branches; returns how many."""
    made, staff = bench_staff(branches=branches)
    branch_ids = [b.pk for b in made]
    codes = [b.code for b in made]
    # Staff as a flat array with per-branch offsets: 4 members per branch, the supervisor first.
    staff_flat = [pk for bid in branch_ids for pk in staff[bid]]
    per_branch = len(staff[branch_ids[0]])
    names = {
        "fam_k": _sql_array(k for k, _ in FAMILY),
        "fam_n": _sql_array(search.normalize(k) for k, _ in FAMILY),
        "fam_kana": _sql_array(k for _, k in FAMILY),
        "giv_k": _sql_array(k for k, _ in GIVEN),
        "giv_n": _sql_array(search.normalize(k) for k, _ in GIVEN),
        "giv_kana": _sql_array(k for _, k in GIVEN),
        "atm": _sql_array(atm_names()),
        "atm_key": _sql_array(search.atm_location_key(name) for name in atm_names()),
        "bank": _sql_array(PAYEE_BANKS),
        "bank_key": _sql_array(
            search.payee_account_key(b, "", "1").split("|")[0] for b in PAYEE_BANKS
        ),
        "pbranch": _sql_array(PAYEE_BRANCHES),
        "pbranch_key": _sql_array(
            search.payee_account_key("", b, "1").split("|")[1] for b in PAYEE_BRANCHES
        ),
    }
    done = 0
    while done < cases:
        size = min(chunk, cases - done)
        with transaction.atomic(), connection.cursor() as cursor:
            _chunk(cursor, done, size, cases, branch_ids, codes, staff_flat, per_branch, names)
        done += size
        log(f"{done:,} / {cases:,} cases")
    with connection.cursor() as cursor:
        for table in ("case", "reporteditem", "protectiveaction", "unauthorizedtransaction",
                      "timelineevent", "deadline", "casenumbercounter"):  # fmt: skip
            cursor.execute(f"ANALYZE incidents_{table}")
    return done


def _chunk(cursor, offset, size, total, branch_ids, codes, staff_flat, per_branch, names) -> None:
    now = timezone.now()
    nb = len(branch_ids)
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        # Not a superuser: the rows go through the history triggers (slower, still correct).
        pass
    cursor.execute(f"SELECT setseed({(offset % 997) / 997.0})")
    cursor.execute("SELECT nextval(pg_get_serial_sequence('incidents_case', 'id'))")
    (base,) = cursor.fetchone()
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('incidents_case', 'id'), %s)", [base + size]
    )
    # One row per case with everything drawn at random; the tables are filled from it.
    kinds_case = " ".join(
        f"WHEN r_kind < {share} THEN {i}" for i, (_k, _s, share, _a) in enumerate(ITEM_KINDS)
    )
    cursor.execute("DROP TABLE IF EXISTS bench_seed")
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_seed ON COMMIT DROP AS
        WITH g AS (
            SELECT n, random() AS r_open, random() AS r_status, (random() * 1000)::int AS r_kind,
                   random() AS r_two, floor(random() * {nb})::int AS b,
                   floor(random() * {len(FAMILY)})::int + 1 AS fam,
                   floor(random() * {len(GIVEN)})::int + 1 AS giv,
                   floor(random() * 10000000)::int AS acct,
                   floor(random() * {per_branch})::int AS who,
                   floor(random() * {per_branch})::int AS owner,
                   random() AS r_due,
                   %(now)s::timestamptz - ((1 - n::float8 / {total}) * interval '1826 days')
                       - (random() * interval '6 hours') AS notified_at
            FROM generate_series({offset + 1}, {offset + size}) AS n
        )
        SELECT g.*,
               CASE {kinds_case} ELSE 0 END AS kind_idx,
               CASE
                 WHEN (notified_at > %(now)s::timestamptz - interval '200 days' AND r_open < 0.85)
                   OR r_open < 0.008 THEN
                   CASE WHEN r_status < 0.02 THEN 'preliminary'
                        WHEN r_status < 0.32 THEN 'reported'
                        WHEN r_status < 0.62 THEN 'investigating'
                        WHEN r_status < 0.87 THEN 'in_review'
                        ELSE 'decided' END
                 ELSE CASE WHEN r_status < 0.7 THEN 'closed' WHEN r_status < 0.9 THEN 'paid'
                           ELSE 'withdrawn' END
               END AS status
        FROM g
        """,
        {"now": now},
    )
    item_kind = _sql_array(k for k, _s, _p, _a in ITEM_KINDS)
    item_state = _sql_array(s for _k, s, _p, _a in ITEM_KINDS)
    cursor.execute(
        f"""
        INSERT INTO incidents_case (
            id, branch_id, number, year, sequence, status, intake_token, intake_step, after_hours,
            channel, reporter_relation, reporter_name, reporter_phone, notified_at,
            customer_number, customer_type, customer_name, customer_name_kana,
            customer_birth_date, customer_phone, police_status, police_station, police_filed_on,
            police_receipt_number, checklist, online_banking_factors, circumstances_note,
            created_by_id, assigned_to_id, submitted_by_id, submitted_at, created_at, updated_at,
            version, search_text, customer_postal_code, customer_address, fraud_approach,
            fraud_approach_note, sign_atm_call, sign_home_visit, sign_pin_asked,
            supervisor_flagged)
        SELECT {base} - {offset} + s.n, br.id, numbered.number, numbered.year, numbered.seq,
            s.status, gen_random_uuid(), 'submitted', s.status = 'preliminary',
            CASE WHEN s.status = 'preliminary' THEN 'phone' ELSE 'counter' END, 'self', '', '',
            s.notified_at, lpad((100000 + s.n %% 900000)::text, 6, '0'),
            CASE WHEN s.n %% {CORPORATE_EVERY} = 0 THEN 'corporate' ELSE 'individual' END,
            ({names["fam_k"]})[s.fam] || ' ' || ({names["giv_k"]})[s.giv],
            ({names["fam_kana"]})[s.fam] || ' ' || ({names["giv_kana"]})[s.giv],
            NULL, '090-0000-' || lpad((s.n %% 10000)::text, 4, '0'),
            CASE WHEN s.r_due < 0.3 THEN 'not_yet' ELSE 'filed' END, '', NULL, '', '{{}}', '{{}}', '',
            staff.creator, CASE WHEN s.status = 'preliminary' THEN NULL ELSE staff.owner END,
            staff.creator, s.notified_at, s.notified_at, s.notified_at, 3,
            '|n' || numbered.number || '|c' || lpad((100000 + s.n %% 900000)::text, 6, '0')
              || '|' || ({names["fam_n"]})[s.fam] || ({names["giv_n"]})[s.giv]
              || '|' || ({names["fam_kana"]})[s.fam] || ({names["giv_kana"]})[s.giv]
              || '|t0900000' || lpad((s.n %% 10000)::text, 4, '0')
              || '|a' || br.code || lpad(s.acct::text, 7, '0') || '|',
            '', '', '', '', false, false, false, false
        FROM bench_seed s
        JOIN LATERAL (SELECT (%(branch_ids)s::bigint[])[s.b + 1] AS id,
                             (%(codes)s::text[])[s.b + 1] AS code) br ON true
        JOIN LATERAL (SELECT (%(staff)s::bigint[])[s.b * {per_branch} + s.who + 1] AS creator,
                             (%(staff)s::bigint[])[s.b * {per_branch} + s.owner + 1] AS owner) staff
            ON true
        JOIN (
            SELECT s2.n, y.year,
                   COALESCE(c.last, 0) + row_number() OVER (
                       PARTITION BY s2.b, y.year ORDER BY s2.notified_at, s2.n) AS seq,
                   (%(codes)s::text[])[s2.b + 1] || '-' || y.year || '-' || lpad((COALESCE(c.last, 0)
                       + row_number() OVER (PARTITION BY s2.b, y.year ORDER BY s2.notified_at, s2.n))::text, 5, '0')
                       AS number
            FROM bench_seed s2
            CROSS JOIN LATERAL (SELECT extract(year FROM s2.notified_at AT TIME ZONE 'Asia/Tokyo')::int AS year) y
            LEFT JOIN incidents_casenumbercounter c
              ON c.branch_id = (%(branch_ids)s::bigint[])[s2.b + 1] AND c.year = y.year
        ) numbered ON numbered.n = s.n
        """,
        {"branch_ids": branch_ids, "codes": codes, "staff": staff_flat},
    )
    cursor.execute(
        """
        INSERT INTO incidents_casenumbercounter (branch_id, year, last)
        SELECT branch_id, year, max(sequence) FROM incidents_case
        WHERE id BETWEEN %(base)s AND %(top)s GROUP BY branch_id, year
        ON CONFLICT (branch_id, year) DO UPDATE SET last = GREATEST(
            incidents_casenumbercounter.last, EXCLUDED.last)
        """,
        {"base": base + 1, "top": base + size},
    )
    case_id = f"({base} - {offset} + s.n)"
    # Items: every case has one; a quarter also lost an identity document with it.
    cursor.execute(
        f"""
        INSERT INTO incidents_reporteditem (case_id, kind, state, id_document_kind, account_branch,
            account_number, occurred_on, noticed_on, note, position)
        SELECT {case_id}, ({item_kind})[s.kind_idx + 1], ({item_state})[s.kind_idx + 1], '',
            (%(codes)s::text[])[s.b + 1], lpad(s.acct::text, 7, '0'),
            (s.notified_at AT TIME ZONE 'Asia/Tokyo')::date - 2,
            (s.notified_at AT TIME ZONE 'Asia/Tokyo')::date - 1, '', 0
        FROM bench_seed s
        UNION ALL
        SELECT {case_id}, 'id_document', 'stolen', 'driving_licence', '', '', NULL,
            (s.notified_at AT TIME ZONE 'Asia/Tokyo')::date - 1, '', 1
        FROM bench_seed s WHERE s.r_two < 0.25
        """,
        {"codes": codes},
    )
    stops = ",".join(
        f"('{kind}', '{state}', '{action}')"
        for kind, state, _share, actions in ITEM_KINDS
        for action in actions
    )
    cursor.execute(
        f"""
        INSERT INTO incidents_protectiveaction (case_id, item_id, kind, status, performed_at,
            performed_by_id, reference, decline_reason, failure_code, failure_reason)
        SELECT i.case_id, i.id, m.action,
            CASE WHEN c.status <> 'preliminary'
                  OR m.action IN ('card_suspend', 'payment_stop', 'ib_suspend') THEN 'done'
                 ELSE 'proposed' END,
            CASE WHEN c.status <> 'preliminary'
                  OR m.action IN ('card_suspend', 'payment_stop', 'ib_suspend')
                 THEN c.notified_at END,
            CASE WHEN c.status <> 'preliminary'
                  OR m.action IN ('card_suspend', 'payment_stop', 'ib_suspend')
                 THEN c.created_by_id END,
            'STP-BENCH-' || i.id || '-' || m.action, '', '', ''
        FROM incidents_reporteditem i
        JOIN incidents_case c ON c.id = i.case_id
        JOIN (VALUES {stops}) AS m(kind, state, action) ON m.kind = i.kind AND m.state = i.state
        WHERE i.case_id BETWEEN %(base)s AND %(top)s
        """,
        {"base": base + 1, "top": base + size},
    )
    channels = " ".join(f"WHEN '{k}' THEN '{c}'" for k, c in CHANNEL_BY_KIND.items())
    # The ATM and receiving account of each transaction, with the comparison keys that
    # incidents.models.search would compute (the names' keys are computed in Python above).
    cursor.execute(
        f"""
        INSERT INTO incidents_unauthorizedtransaction (case_id, item_id, occurred_at,
            account_branch, account_number, channel, amount, fee, interest, location, payee_bank,
            payee_branch, payee_account_number, payee_account_name, recovered_amount,
            payee_key, location_key)
        SELECT t.case_id, t.item_id, t.occurred_at, t.account_branch, t.account_number,
            t.channel, t.amount, 220, 0,
            CASE WHEN t.kind = 'cash_card' THEN ({names["atm"]})[t.atm + 1] ELSE '' END,
            CASE WHEN t.ib THEN ({names["bank"]})[t.payee %% {len(PAYEE_BANKS)} + 1] ELSE '' END,
            CASE WHEN t.ib THEN ({names["pbranch"]})[t.payee %% {len(PAYEE_BRANCHES)} + 1]
                 ELSE '' END,
            CASE WHEN t.ib THEN lpad((1000000 + t.payee)::text, 7, '0') ELSE '' END,
            CASE WHEN t.ib THEN 'サトウ ジロウ' ELSE '' END,
            CASE WHEN t.ib AND t.r_recovered < {RECOVERED_SHARE} THEN t.amount / 2 ELSE 0 END,
            CASE WHEN t.ib THEN ({names["bank_key"]})[t.payee %% {len(PAYEE_BANKS)} + 1] || '|'
                 || ({names["pbranch_key"]})[t.payee %% {len(PAYEE_BRANCHES)} + 1] || '|'
                 || lpad((1000000 + t.payee)::text, 7, '0') ELSE '' END,
            CASE WHEN t.kind = 'cash_card' THEN ({names["atm_key"]})[t.atm + 1] ELSE '' END
        FROM (
            SELECT i.case_id, i.id AS item_id, i.kind, i.kind = 'online_banking' AS ib,
                c.notified_at - (k * interval '3 hours') - interval '1 day' AS occurred_at,
                i.account_branch, i.account_number, CASE i.kind {channels} END AS channel,
                (10000 * (1 + floor(random() * 50)))::bigint AS amount,
                floor(random() * {ATM_COUNT})::int AS atm,
                floor(random() * {PAYEE_COUNT})::int AS payee, random() AS r_recovered
            FROM incidents_reporteditem i
            JOIN incidents_case c ON c.id = i.case_id
            CROSS JOIN generate_series(1, 3) AS k
            WHERE i.case_id BETWEEN %(base)s AND %(top)s AND i.position = 0
              AND i.state IN ('stolen', 'counterfeit', 'credentials_stolen')
              AND k <= 1 + (i.id %% 3)
        ) t
        """,
        {"base": base + 1, "top": base + size},
    )
    cursor.execute(
        """
        INSERT INTO incidents_timelineevent (case_id, at, actor_id, kind, message, data)
        SELECT c.id, c.notified_at, c.created_by_id, e.kind, e.message, '{}'::jsonb
        FROM incidents_case c
        CROSS JOIN (VALUES ('created', '受付を開始しました'), ('submitted', '受け付けました'))
            AS e(kind, message)
        WHERE c.id BETWEEN %(base)s AND %(top)s
        UNION ALL
        SELECT c.id, c.notified_at + interval '1 day', c.assigned_to_id, 'status_changed',
            '受付済 → ' || c.status, '{}'::jsonb
        FROM incidents_case c
        WHERE c.id BETWEEN %(base)s AND %(top)s AND c.status NOT IN ('reported', 'preliminary')
        """,
        {"base": base + 1, "top": base + size},
    )
    # What open cases still owe: police reports, documents, reviews, after-hours pickups.
    cursor.execute(
        """
        INSERT INTO incidents_deadline (case_id, kind, due_at, state, owner_id, branch_id,
            reminded_at, escalation_level, escalated_at, closed_at, created_at)
        SELECT c.id, d.kind,
            -- Spread around now: some missed, most due over the next ten days.
            GREATEST(c.notified_at + interval '1 hour',
                     %(now)s::timestamptz - interval '4 days' + random() * interval '14 days'),
            'open', c.assigned_to_id, c.branch_id,
            NULL, 0, NULL, NULL, c.notified_at
        FROM incidents_case c
        JOIN (VALUES
            ('police_report', interval '7 days', 'not_yet'),
            ('customer_documents', interval '14 days', NULL),
            ('supervisor_review', interval '2 days', 'in_review'),
            ('after_hours_pickup', interval '14 hours', 'preliminary')
        ) AS d(kind, after, applies) ON (
            (d.kind = 'police_report' AND c.police_status = 'not_yet')
            OR (d.kind = 'customer_documents' AND c.id %% 3 = 0)
            OR (d.kind = 'supervisor_review' AND c.status = 'in_review')
            OR (d.kind = 'after_hours_pickup' AND c.status = 'preliminary'))
        WHERE c.id BETWEEN %(base)s AND %(top)s
          AND c.status IN ('preliminary', 'reported', 'investigating', 'in_review', 'decided')
        """,
        {"base": base + 1, "top": base + size, "now": now},
    )
    _triggers_back_on(cursor)


def _triggers_back_on(cursor) -> None:
    """End the bypass: SET LOCAL lasts to the end of the outer transaction, not of the chunk's
    savepoint, and writes after the seed in the same transaction (a test's) need their triggers."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = origin")
    except DatabaseError:
        pass  # not a superuser: the bypass was never on
