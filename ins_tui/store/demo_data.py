"""Synthetic French patients for training mode and benchmarks.

Why synthetic and not sampled: no real identity may ever reach a demo file. Every INS
is built under the test OIDs (.10/.11) with a key the domain computes, and statuses are
derived by the domain's status machine, so a demo file passes `db check` like a real one.
Rows go in with executemany inside one action: 200,000 patients take seconds, not minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ins_tui.domain.model import OID_DEMO_NIR, OID_TEST_NIR, Attribute
from ins_tui.store.records import INSI_FIELDS, attributes_to_text
from ins_tui.store.search_key import stored_key
from ins_tui.store.store import Store


def _split(text: str) -> list[str]:
    return text.split()


SURNAMES = [*_split(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
    "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
    "ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER "
    "FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU "
    "GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR MEUNIER BRUN "
    "BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD ROCHE "
    "RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD "
    "DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE BENOIT REY LECLERC PAYET ROLLAND LECLERCQ "
    "GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT BERGER CARPENTIER SANCHEZ DUPUIS MOULIN "
    "LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER "
    "MARTY AUBRY GUYOT CARRE CHARLES RENAULT CHARPENTIER MENARD MAILLARD BARON BERTIN BAILLY "
    "HERVE SCHNEIDER FERNANDEZ COLLET LEGER BOUVIER JULIEN PREVOST MILLET PERROT DANIEL "
    "NGUYEN TRAN BENALI HADDAD MOHAMED DIALLO TRAORE KONATE COULIBALY CISSE"
),
    "LE GOFF", "LE BIHAN", "LE GALL", "LE ROUX", "DA SILVA", "DOS SANTOS", "DE SOUSA",
    "DE LA FONTAINE", "DE LA TOUR", "DU PONT", "VAN DER BERG", "D'ALMEIDA", "D'ARTAGNAN",
    "N'DIAYE", "N'GUESSAN", "O'NEILL", "L'HUILLIER", "DE L'ESTANG", "SAINT-MARTIN",
    "SAINTE-MARIE", "LE BRETON--GUILLOU",
]

FIRST_NAMES_F = [*_split(
    "MARIE JEANNE FRANCOISE MONIQUE CATHERINE NATHALIE ISABELLE SYLVIE ANNE MARTINE CHRISTINE "
    "SANDRINE VALERIE STEPHANIE CELINE JULIE AURELIE CAMILLE EMMA LEA CHLOE MANON INES JADE "
    "LOUISE ALICE LINA ROSE AMBRE ZOE LUCIE SARAH CLARA ANAIS ELODIE MARGAUX PAULINE AGATHE "
    "JOSEPHINE SUZANNE YVETTE GINETTE ODETTE FATIMA AMINATA AICHA"
),
    "MARIE-CLAIRE", "ANNE-SOPHIE", "MARIE-HELENE", "MARIE-CHRISTINE", "ANNE-LAURE",
    "MARIE-ANGE", "MARIE-PIERRE", "LOU-ANN",
]

FIRST_NAMES_M = [*_split(
    "JEAN PIERRE MICHEL ANDRE PHILIPPE ALAIN BERNARD CHRISTOPHE PATRICK NICOLAS DANIEL "
    "FREDERIC LAURENT STEPHANE DAVID ERIC JULIEN SEBASTIEN THOMAS ALEXANDRE MAXIME ANTOINE "
    "LUCAS HUGO LOUIS GABRIEL ARTHUR JULES RAPHAEL LEO PAUL ADAM NATHAN ETHAN NOAH MATHIS "
    "CLEMENT BAPTISTE VICTOR MARCEL ROGER RENE GEORGES HENRI MOHAMED MAMADOU YOUSSEF"
),
    "JEAN-PIERRE", "JEAN-PAUL", "JEAN-BAPTISTE", "JEAN-MARC", "PIERRE-ALAIN", "JEAN-LUC",
    "JEAN-CHRISTOPHE", "MARC-ANTOINE", "PAUL-HENRI",
]

# A few real commune codes (INSEE COG) used when no COG table is bundled; 2A/2B included.
_FALLBACK_COMMUNES = (
    "75056", "69123", "13055", "31555", "06088", "44109", "67482", "34172", "33063", "59350",
    "35238", "51454", "76351", "42218", "83137", "38185", "21231", "49007", "30189", "63113",
    "2A004", "2B033", "97411", "97209", "29019", "56260", "22278", "64445", "87085", "25056",
)
_FALLBACK_COUNTRIES = ("99350", "99139", "99134", "99127", "99109", "99351", "99352", "99212")

BULK_THRESHOLD = 10_000
DOCUMENTS = ("CN", "PA", "CS", "eCN", "IN", "AN", "LE")
PRACTITIONERS = ("Dr Martin", "Dr Bernard")
ACTORS = ("accueil1", "accueil2")


def _birthplaces() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Current communes and countries from the bundled COG tables, else a short list.

    Weighted towards the first communes is pointless for a demo: every current commune
    is equally likely, which gives realistic variety in the NIR and the birthplace.
    """
    try:
        from ins_tui.refdata import load_cog

        places = list(load_cog().places())
    except (OSError, ValueError):
        places = []  # no usable table: demo data only, fall back to the short list
    communes = tuple(p.code for p in places if p.kind == "commune")
    countries = tuple(
        p.code for p in places if p.kind == "pays" and p.code not in ("99100", "99999")
    )
    if communes and countries:
        return communes, countries
    return _FALLBACK_COMMUNES, _FALLBACK_COUNTRIES


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    visits: int
    seed: int
    statuses: dict[str, int]


class _Generator:
    def __init__(self, rng: random.Random, today: date) -> None:
        from ins_tui.domain.matricule import compute_key
        from ins_tui.domain.status import IdentityState

        self.rng = rng
        self.today = today
        self.compute_key = compute_key
        self.build_state = lru_cache(maxsize=64)(IdentityState.build)
        self.communes, self.countries = _birthplaces()
        self.used_numbers: set[str] = set()

    def surname(self) -> str:
        rng = self.rng
        name = rng.choice(SURNAMES)
        if rng.random() < 0.07 and " " not in name and "'" not in name:
            other = rng.choice(SURNAMES)
            if other != name and " " not in other and "'" not in other:
                name = f"{name}-{other}"
        return name

    def first_names(self, sex: str) -> str:
        pool = FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M
        count = self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        names: list[str] = []
        while len(names) < count:
            candidate = self.rng.choice(pool)
            if candidate not in names:
                names.append(candidate)
        return " ".join(names)

    def birth_date(self) -> date:
        start = date(1925, 1, 1)
        span = (self.today - start).days
        # Skewed towards adults, as a general practice's list is.
        return start + timedelta(days=int(span * (self.rng.random() ** 0.8)))

    def nir(self, sex: str, born: date, place: str) -> str:
        """A number consistent with the traits (sex, year, month, place), never handed out twice."""
        head = f"{1 if sex == 'M' else 2}{born.year % 100:02d}{born.month:02d}"
        # The 5 characters of the COG code (99 + country when born abroad).
        while True:
            number = f"{head}{place}{self.rng.randint(1, 999):03d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def patient(self, now: str) -> dict[str, object]:
        rng = self.rng
        sex = "F" if rng.random() < 0.52 else "M"
        birth_name = self.surname()
        first_names = self.first_names(sex)
        first_name = first_names.split(" ", 1)[0]
        born = self.birth_date()
        roll = rng.random()
        place = (rng.choice(self.countries) if roll < 0.1 else rng.choice(self.communes))
        used_name = self.surname() if sex == "F" and rng.random() < 0.25 else None
        used_first = None
        if rng.random() < 0.03 and "-" in first_name:
            used_first = first_name.split("-", 1)[0]
        attributes: set[Attribute] = set()
        pick = rng.random()
        if pick < 0.02:
            attributes.add(Attribute.DOUTEUSE)
        elif pick < 0.03:
            attributes.add(Attribute.FICTIVE)
        if rng.random() < 0.02:
            attributes.add(Attribute.HOMONYME)
        blocked = bool(attributes & {Attribute.DOUTEUSE, Attribute.FICTIVE})
        kind = rng.random()
        insi = not blocked and (0.35 <= kind < 0.55 or kind >= 0.70)
        doc = not blocked and kind >= 0.55
        state = self.build_state(frozenset(attributes), insi_retrieved=insi, document_checked=doc)
        number = self.nir(sex, born, place)
        key = self.compute_key(number)
        has_card = insi or rng.random() < 0.5
        row: dict[str, object] = {
            "birth_name": birth_name,
            "first_names": first_names,
            "first_name": first_name,
            "sex": sex,
            "birth_date": born.isoformat(),
            "birthplace": place,
            "used_name": used_name,
            "used_first_name": used_first,
            "nir": number + key if has_card else None,
            "status": str(state.status),
            "attributes": attributes_to_text(frozenset(attributes)),
            "insi_retrieved": int(insi),
            "document_checked": int(doc),
            "apcv": 0,
            "ins_number": number if insi else None,
            "ins_key": key if insi else None,
            "ins_oid": (OID_TEST_NIR if rng.random() < 0.7 else OID_DEMO_NIR) if insi else None,
            "ins_key_ok": 1 if insi else None,
            "ins_matricule": number + key if insi else None,
            "locked_fields": " ".join(sorted(INSI_FIELDS)) if insi else "",
            "document_type": rng.choice(DOCUMENTS) if doc else None,
            "document_at": now if doc else None,
            "document_by": rng.choice(ACTORS) if doc else None,
            "created_at": now,
            "updated_at": now,
            "birth_name_key": stored_key(birth_name),
            "used_name_key": stored_key(used_name),
            "first_name_key": stored_key(first_name),
        }
        return row


def _chunks(gen: Iterator[dict[str, object]], size: int) -> Iterator[list[dict[str, object]]]:
    chunk: list[dict[str, object]] = []
    for item in gen:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generate(
    store: Store,
    patients: int,
    *,
    seed: int,
    visits_today: int = 0,
    actor: str = "demo-data",
) -> DemoSummary:
    """Add `patients` synthetic patients (and today's visits) in one action."""
    rng = random.Random(seed)
    gen = _Generator(rng, store.now().date())
    conn = store.conn
    # Index pages for 200,000 random names do not fit the default 2 MiB page cache;
    # a bigger cache for the bulk insert halves its time.
    (old_cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute("PRAGMA cache_size=-131072")
    try:
        return _generate(store, gen, rng, patients, seed, visits_today, actor)
    finally:
        conn.execute(f"PRAGMA cache_size={int(old_cache)}")


def _generate(
    store: Store,
    gen: _Generator,
    rng: random.Random,
    patients: int,
    seed: int,
    visits_today: int,
    actor: str,
) -> DemoSummary:
    statuses: dict[str, int] = {}
    conn = store.conn
    with store.action(actor, "Données de démonstration"):
        # A second run on the same file (even with the same seed) must not hand out a
        # matricule already held: two records with one INS would be a duplicate to merge.
        gen.used_numbers.update(
            r[0][:13]
            for r in conn.execute(
                "SELECT nir FROM patients WHERE nir IS NOT NULL "
                "UNION SELECT ins_number FROM patients WHERE ins_number IS NOT NULL"
            )
        )
        # Building an index once from sorted keys is several times cheaper than
        # growing it row by row; the definitions are read back from the file itself,
        # so the migrations stay their only source. DDL is transactional in SQLite.
        indexes = []
        if patients >= BULK_THRESHOLD:
            indexes = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'patients' AND sql IS NOT NULL"
            ).fetchall()
            for name, _sql in indexes:
                conn.execute(f'DROP INDEX "{name}"')
        now = store.now_iso()
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM patients").fetchone()[0]
        rows = (gen.patient(now) for _ in range(patients))
        next_id = first_id
        columns: list[str] | None = None
        for chunk in _chunks(rows, 5000):
            if columns is None:
                columns = list(chunk[0])
                insert = (
                    f"INSERT INTO patients (id, {', '.join(columns)}) "
                    f"VALUES (?, {', '.join('?' for _ in columns)})"
                )
            params = []
            history = []
            events = []
            for row in chunk:
                params.append((next_id, *(row[c] for c in columns)))
                statuses[str(row["status"])] = statuses.get(str(row["status"]), 0) + 1
                if row["ins_number"]:
                    history.append((next_id, row["ins_number"], row["ins_key"], row["ins_oid"],
                                    now))
                channel = "CV" if row["insi_retrieved"] else "SM"
                events.append((next_id, channel, now, actor, '{"action": "demo"}'))
                next_id += 1
            conn.executemany(insert, params)
            conn.executemany(
                "INSERT INTO ins_history (patient_id, number, key, oid, key_ok, active, "
                "received_at) VALUES (?, ?, ?, ?, 1, 1, ?)",
                history,
            )
            conn.executemany(
                "INSERT INTO identity_events (patient_id, channel, at, actor, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                events,
            )
        for _name, sql in indexes:
            conn.execute(sql)
        visits = _visits(store, rng, first_id, next_id - 1, visits_today)
        journal_id = store.append(
            "demo.generate",
            after={"patients": patients, "visits": visits, "seed": seed,
                   "first_id": first_id, "last_id": next_id - 1},
        )
        # Checked against the identity rules and sealed at commit, like any other write.
        store.mark_written(first_id, next_id - 1, journal_id)
    return DemoSummary(patients, visits, seed, statuses)


def _visits(store: Store, rng: random.Random, low: int, high: int, count: int) -> int:
    if count <= 0 or high < low:
        return 0
    conn = store.conn
    today = store.today()
    now = store.now()
    (last,) = conn.execute(
        "SELECT coalesce(max(position), 0) FROM visits WHERE day = ?", (today,)
    ).fetchone()
    chosen = rng.sample(range(low, high + 1), min(count, high - low + 1))
    # Arrivals end now (never in the future, never before midnight), so the list reads in
    # order whatever the hour the training database is opened.
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(midnight, now - timedelta(minutes=7 * len(chosen) + 5))
    rows = []
    for index, patient_id in enumerate(chosen):
        arrived = min(now, start + timedelta(minutes=7 * index + rng.randint(0, 5)))
        ratio = index / max(1, len(chosen))
        state = "parti" if ratio < 0.4 else "en_consultation" if ratio < 0.5 else "en_attente"
        rows.append((patient_id, today, arrived.isoformat(timespec="seconds"), state,
                     rng.choice(PRACTITIONERS), last + index + 1, store.now_iso()))
    conn.executemany(
        "INSERT INTO visits (patient_id, day, arrived_at, state, practitioner, position, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def add_visits_today(store: Store, count: int, *, seed: int, actor: str = "demo-data") -> int:
    """Put `count` existing patients on today's list (training: every day gets its own list)."""
    rng = random.Random(seed)
    with store.action(actor, "Passages de démonstration"):
        low, high = store.conn.execute("SELECT min(id), max(id) FROM patients").fetchone()
        if low is None:
            return 0
        return _visits(store, rng, low, high, count)
