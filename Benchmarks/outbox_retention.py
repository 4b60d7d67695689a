"""The outbox's retention at scale (not a test). Writes N sent messages with reminder-sized bodies straight
into a kinerjad database, runs the maintenance job, then writes N new messages, and prints the file's size
and free pages after each step: the space the job frees should take the new messages.

    python3 Benchmarks/outbox_retention.py .build-release-static/release /tmp/retention 400000 [text|messages]

- text (the default): the messages were sent 40 days ago; the job removes their text
  (mail.keep_sent_text, 30 days) and keeps the rest of each message.
- messages: the messages were written 420 days ago and each reminded two stages of assignments of a
  closed cycle; the job deletes them whole, with their marks (mail.keep_messages, 400 days).
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import time

from benchdaemon import Daemon

bin_dir, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
mode = sys.argv[4] if len(sys.argv) > 4 else "text"
if mode not in ("text", "messages"):
    sys.exit(f"mode must be text or messages, not {mode!r}")
old_days = 40 if mode == "text" else 420
shutil.rmtree(work, ignore_errors=True)
here = os.path.dirname(os.path.abspath(__file__))
body = open(os.path.join(here, "..", "config", "kinerjad.yaml")).read().split("reminder_body: |-")[1].split("escalation_subject")[0]
body = body.replace("{daftar}", "\n".join(f"- Rekan {i}: Nama Pegawai Contoh Panjang {i} (NIP 19650101199001{i:04d}), batas 2026-10-15" for i in range(4)))


def closed_cycle(db, count):
    """A closed cycle with `count` submitted assignments (ids 1…count), for the old messages' marks."""
    db.execute("""INSERT INTO cycle (id, period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                                     rekan_per_subject, rekan_cap, rekan_seed, closed_at, closed_by)
                  VALUES (1, '2025-Q3', 'quarterly', '2025-07-01', '2025-09-30', 'closed', '2025-10-01 01:00:00.000', 'bench',
                          '2025-10-15 01:00:00.000', 3, 4, 0, '2025-10-23 18:00:00.000', 'bench')""")
    db.executemany("""INSERT INTO assignment (id, cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id,
                                              due_at, submitted_at) VALUES (?, 1, ?, 2, ?, 1, 1, 1760490000, 1760500000)""",
                   ((i, i, i + 1) for i in range(1, count + 1)))


def fill(db, start, count, days_ago, marks):
    rows = []
    for i in range(start, start + count):
        nip = f"1965010119900{i:05d}"
        rows.append((f"reminder/{nip}/2026-10-{i % 28 + 1:02d}-{i}", "reminder", nip, "BKPSDM Kota Bandung <kinerjad@bandung.go.id>",
                     f"Pegawai {i} <pegawai{i}@bandung.go.id>", "", "Pengingat: 4 penilaian perilaku kerja menunggu Anda", body,
                     f"kinerjad.{i}.abcdef@bandung.go.id", f"-{days_ago} days", f"-{days_ago} days", f"-{days_ago} days"))
    db.executemany("""INSERT INTO outbox (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, message_id,
                      created_at, status, attempts, last_attempt_at, in_flight, sent_at, channel)
                      VALUES (?,?,?,?,?,?,?,?, strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 'sent', 1,
                              strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 0, strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 'sendmail')""",
                   [r[:7] + r[8:] for r in rows])
    db.executemany("INSERT INTO outbox_text (outbox_id, body) SELECT id, ? FROM outbox WHERE idempotency_key = ?", [(r[7], r[0]) for r in rows])
    if marks:
        # Two stages of assignment i for the i-th message (ids from 1), as a sweep's marks.
        db.execute(f"""INSERT INTO outbox_stage (assignment_id, stage, outbox_id)
                       SELECT id - {start}, s.stage, id FROM outbox, (SELECT 'after:1d' AS stage UNION ALL SELECT 'due') s
                       WHERE id > (SELECT MAX(id) FROM outbox) - {count} ORDER BY 1, 2""")
    db.commit()


def size():
    db = sqlite3.connect(f"{work}/kinerja.sqlite")
    pages, free = db.execute("PRAGMA page_count").fetchone()[0], db.execute("PRAGMA freelist_count").fetchone()[0]
    db.close()
    return os.path.getsize(f"{work}/kinerja.sqlite"), pages, free


with Daemon(bin_dir, work):
    pass  # the daemon creates the database with its schema
db = sqlite3.connect(f"{work}/kinerja.sqlite")
if mode == "messages":
    closed_cycle(db, n)
fill(db, 0, n, old_days, marks=mode == "messages")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
print(f"{n} sent messages {old_days} days old: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]})", flush=True)
with Daemon(bin_dir, work) as d:
    t = time.time()
    out = subprocess.run(d.argv(quiet=False) + ["jobs", "run", "maintenance"], capture_output=True, text=True).stdout.strip()
    print(f"maintenance job {time.time() - t:.2f} s: {out}", flush=True)
db = sqlite3.connect(f"{work}/kinerja.sqlite"); db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
left = db.execute("SELECT (SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM outbox_stage), (SELECT COUNT(*) FROM outbox_text)").fetchone()
db.close()
print(f"after: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]}); messages, marks, texts left: {left}", flush=True)
db = sqlite3.connect(f"{work}/kinerja.sqlite")
fill(db, n, n, 0, marks=False)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
print(f"{n} more messages, sent today: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]})", flush=True)
