// Another process that holds a store's write lock: BEGIN IMMEDIATE, print "locked", hold, COMMIT.
// Usage: node tests/helpers/hold-write-lock.mjs <db> <milliseconds | "stdin">
// ("stdin": hold until standard input closes, so a test releases it when it is ready.)
import Database from 'better-sqlite3';

const [file, hold] = process.argv.slice(2);
const db = new Database(file, { fileMustExist: true });
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
if (hold === 'stdin') {
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
} else {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(hold));
}
db.exec('COMMIT');
db.close();
process.stdout.write('released\n');
