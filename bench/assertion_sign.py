"""Cost of a fresh signed assertion PS per INSi call, against the bare RSA signature.

The client builds one assertion per call (new ID, IssueInstant), so this is per-call
overhead in CPx mode. Baseline, in the same run: signing the same number of bytes with
the same key directly through `cryptography` — what no XML work at all would cost.
Target: the XML part (c14n twice, digest, tree building) under 2x the bare signature.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from ins_tui.insi.assertion import build_assertion_ps
from ins_tui.insi.pki import build_certificate, key_usage, new_key, p12_bytes
from ins_tui.insi.signer import Pkcs12Signer

ROUNDS = 200


def _p12(folder: Path) -> tuple[Path, rsa.RSAPrivateKey]:
    """A self-signed CPS-like signature certificate (the project's one certificate builder)."""
    key = new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.TITLE, "Médecin"),
            x509.NameAttribute(NameOID.COMMON_NAME, "899700870589"),
        ]
    )
    cert = build_certificate(name, key.public_key(), name, key,
                             usage=key_usage(content_commitment=True), days=1)
    path = folder / "bench.p12"
    path.write_bytes(p12_bytes(b"bench", key, cert, (), b"bench"))
    return path, key


def _median(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path, key = _p12(Path(tmp))
        signer = Pkcs12Signer(path, "bench")

        def build() -> etree._Element:
            return build_assertion_ps(signer, billing_id="123456789", activity_sector="SA07")

        sample = etree.tostring(build().find("{*}Signature/{*}SignedInfo"), method="c14n")

        def baseline() -> bytes:
            return key.sign(sample, padding.PKCS1v15(), hashes.SHA256())

        build()
        baseline()  # warm both paths
        base = _median(baseline)
        full = _median(build)
    print(f"bare RSA-2048 signature (baseline): {base * 1e3:.2f} ms")
    print(f"build_assertion_ps (PKCS#12):       {full * 1e3:.2f} ms")
    print(f"ratio assertion/baseline: {full / base:.2f}x (target < 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
