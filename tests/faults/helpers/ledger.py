#!/usr/bin/python3
"""The delivery ledger of one fault scenario: what the collector's spool says it created and
dropped, what is still in its backlog, and what the test backend accepted (unique batch ids).

    ledger.py SPOOL_DB CONTROL_URL  ->  one JSON object on stdout

lost = created - counted drops - |accepted ids + backlog ids|. A batch the backend accepted and
that is still in the backlog (commit then drop, stopped before the retry) counts once, so a
duplicate never hides a loss."""
import json
import sqlite3
import sys
import urllib.request


def main():
    spool_db, control = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(f"file:{spool_db}?mode=ro", uri=True)
    counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
    backlog = {row[0] for row in db.execute("SELECT batch_id FROM entries")}
    quarantined = db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    with urllib.request.urlopen(control + "/_test/ledger", timeout=30) as answer:
        ledger = json.load(answer)
    accepted = {a["batch_id"] for a in ledger["accepted"] if a.get("batch_id")}
    dropped = {k[len("dropped_"):]: v for k, v in counters.items() if k.startswith("dropped_") and v}
    created = counters.get("created", 0)
    delivered_or_kept = len(accepted | backlog)
    print(json.dumps({
        "created": created,
        "accepted": len(accepted),
        "backlog": len(backlog),
        "accepted_and_backlog": len(accepted & backlog),
        "dropped": dropped,
        "dropped_total": sum(dropped.values()),
        "quarantined": quarantined,
        "duplicates": ledger.get("duplicates", 0),
        "lost": created - sum(dropped.values()) - delivered_or_kept,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
