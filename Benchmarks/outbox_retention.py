"""The outbox's text retention at scale (not a test): N sent messages with reminder-sized bodies, sent
40 days ago, written straight into a kinerjad database; the maintenance job, which removes their text
(mail.keep_sent_text, 30 days); then N new messages. Prints the file's size and free pages after each
step: the space the job frees should take the new messages.

    python3 Benchmarks/outbox_retention.py .build-release-static/release /tmp/retention 400000
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import time

from benchdaemon import Daemon

bin_dir, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.rmtree(work, ignore_errors=True)
here = os.path.dirname(os.path.abspath(__file__))
body = open(os.path.join(here, "..", "config", "kinerjad.yaml")).read().split("reminder_body: |-")[1].split("escalation_subject")[0]
body = body.replace("{daftar}", "\n".join(f"- Rekan {i}: Nama Pegawai Contoh Panjang {i} (NIP 19650101199001{i:04d}), batas 2026-10-15" for i in range(4)))

def fill(db, start, count, sent_days_ago):
    rows = []
    for i in range(start, start + count):
        nip = f"1965010119900{i:05d}"
        rows.append((f"reminder/{nip}/2026-10-{i % 28 + 1:02d}-{i}", "reminder", nip, "BKPSDM Kota Bandung <kinerjad@bandung.go.id>",
                     f"Pegawai {i} <pegawai{i}@bandung.go.id>", "", "Pengingat: 4 penilaian perilaku kerja menunggu Anda", body,
                     f"kinerjad.{i}.abcdef@bandung.go.id", f"-{sent_days_ago} days", f"-{sent_days_ago} days", f"-{sent_days_ago} days"))
    db.executemany("""INSERT INTO outbox (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, message_id,
                      created_at, status, attempts, last_attempt_at, in_flight, sent_at, channel)
                      VALUES (?,?,?,?,?,?,?,?, strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 'sent', 1,
                              strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 0, strftime('%Y-%m-%d %H:%M:%f', 'now', ?), 'sendmail')""",
                   [r[:7] + r[8:] for r in rows])
    db.executemany("INSERT INTO outbox_text (outbox_id, body) SELECT id, ? FROM outbox WHERE idempotency_key = ?", [(r[7], r[0]) for r in rows])
    db.commit()

def size():
    db = sqlite3.connect(f"{work}/kinerja.sqlite")
    pages, free = db.execute("PRAGMA page_count").fetchone()[0], db.execute("PRAGMA freelist_count").fetchone()[0]
    db.close()
    return os.path.getsize(f"{work}/kinerja.sqlite"), pages, free

with Daemon(bin_dir, work):
    pass  # the daemon creates the database with its schema
db = sqlite3.connect(f"{work}/kinerja.sqlite")
fill(db, 0, n, 40)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
print(f"{n} sent messages 40 days old: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]})", flush=True)
with Daemon(bin_dir, work) as d:
    t = time.time()
    out = subprocess.run(d.argv(quiet=False) + ["jobs", "run", "maintenance"], capture_output=True, text=True).stdout.strip()
    print(f"maintenance job {time.time() - t:.2f} s: {out}", flush=True)
db = sqlite3.connect(f"{work}/kinerja.sqlite"); db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
print(f"after: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]})", flush=True)
db = sqlite3.connect(f"{work}/kinerja.sqlite")
fill(db, n, n, 0)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
print(f"{n} more messages, sent today: file {size()[0] / 1e6:.1f} MB (pages, free: {size()[1:]})", flush=True)
