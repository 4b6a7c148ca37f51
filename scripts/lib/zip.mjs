// A reproducible ZIP (fflate, deflate level 9): fixed timestamps and modes, entries in the order
// given, so the same bundle always gives the same bytes and Terraform's source_code_hash changes only
// when the code does.
import { zipSync } from "fflate";

// 1980-01-01 00:00, the earliest time a ZIP entry can carry. fflate writes the DOS time from the
// local calendar fields, so the date is built from local fields too: the bytes do not depend on TZ.
const EPOCH_OF_ZIP = new Date(1980, 0, 1, 0, 0, 0);
// "Made by" Unix, so unzip and Lambda read the mode: a regular file, rw-r--r--.
const UNIX = 3;
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

/** @param {{ name: string, data: Uint8Array }[]} files in the order they should appear */
export function createZip(files) {
  const entries = {};
  for (const { name, data } of files) {
    if (Object.hasOwn(entries, name)) throw new Error(`zip: ${name} given twice`);
    entries[name] = [data, { level: 9, mtime: EPOCH_OF_ZIP, os: UNIX, attrs: REGULAR_FILE_0644 }];
  }
  return Buffer.from(zipSync(entries));
}
