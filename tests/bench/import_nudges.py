"""Import of 20,000 partners and one nudge round for 200 owners, on SQLite and PostgreSQL.

    python -m tests.bench.import_nudges [--pg-url URL | --no-pg]

Runs the partners' and the nudges' own benchmark scripts (scripts/bench_import.py with owner
lookups through the stand-in, scripts/bench_nudges.py), then times the same import as an operator
runs it, `transition-bot import-partners`, and one `transition-bot nudge --now` for 200 owners
against the stand-in in its own process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from tests.bench import process
from tests.bench.setup import DEFAULT_PG, database, deadline_in, save, standin_process, workdir, write_book


def script(name: str, *args: str, pg_url: str | None) -> str:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if pg_url:
        env["TEST_DATABASE_URL"] = pg_url
    done = subprocess.run(
        [sys.executable, str(process.ROOT / "scripts" / name), *args],
        env=env,
        cwd=process.ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return done.stdout + (f"\n(exit {done.returncode}) {done.stderr[-1500:]}" if done.returncode else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    pg = None if args.no_pg else args.pg_url
    figures: dict[str, object] = {"args": vars(args)}
    for name, extra in [
        ("bench_import.py", ["--rows", str(args.partners), "--owners", str(args.owners), "--lookups"]),
        ("bench_nudges.py", ["--partners", str(args.partners), "--owners", str(args.owners)]),
    ]:
        command = f"python scripts/{name} {' '.join(extra)}" + (f"  (TEST_DATABASE_URL={pg})" if pg else "")
        print(f"$ {command}")
        output = script(name, *extra, pg_url=pg)
        print(output)
        figures[name] = output

    print("$ transition-bot import-partners / nudge --now, as child processes against the stand-in")
    for kind in ["sqlite", *(["postgresql"] if pg else [])]:
        work = workdir("import-nudge")
        with standin_process(args.owners) as standin, database(kind, work, args.pg_url) as url:
            env = process.bot_env(
                database_url=url, api_url=standin.api_url, home=work, TRANSITION_DEADLINE=deadline_in(2)
            )
            book = write_book(work / "book.csv", partners=args.partners, owners=args.owners)
            started = time.perf_counter()
            imported = process.cli(["import-partners", str(book)], env=env, workdir=work)
            import_s = time.perf_counter() - started
            started = time.perf_counter()
            nudged = process.cli(["nudge", "--now"], env=env, workdir=work)
            nudge_s = time.perf_counter() - started
            calls = standin.summary()["calls"]
        line = (
            f"{kind}: import-partners {args.partners} rows in {import_s:.1f} s ({imported.stdout.strip()[-80:]}); "
            f"nudge --now in {nudge_s:.1f} s ({nudged.stdout.strip()[-100:]}); Web API calls {calls}"
        )
        print(line)
        figures[f"cli_{kind}"] = {
            "import_s": import_s,
            "nudge_s": nudge_s,
            "calls": calls,
            "ok": [imported.returncode, nudged.returncode],
        }
    print("saved", save("import_nudges", figures))


if __name__ == "__main__":
    main()
