/**
 * TXT values as Route 53 writes them: one or more quoted character strings, `\"` and `\\` escaped,
 * other special characters as `\ooo` (octal). Shared by the TXT adapter and the local DNS server.
 */

/** The character strings of one value: `"a" "b\"c"` → ["a", "b\"c"] as bytes. */
export function txtStrings(value: string): Buffer[] {
  const strings: Buffer[] = [];
  for (const match of value.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    const raw = match[1] ?? match[2] ?? "";
    const bytes: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === "\\" && /^\d{3}$/.test(raw.slice(i + 1, i + 4))) {
        bytes.push(Number.parseInt(raw.slice(i + 1, i + 4), 8));
        i += 3;
      } else if (raw[i] === "\\" && i + 1 < raw.length) {
        bytes.push(...Buffer.from(raw[++i] ?? ""));
      } else {
        bytes.push(...Buffer.from(raw[i] ?? ""));
      }
    }
    strings.push(Buffer.from(bytes));
  }
  return strings;
}

/** The text of one value, its strings joined (as ACME servers read a TXT record). */
export function readTxtValue(value: string): string {
  return Buffer.concat(txtStrings(value)).toString("utf8");
}

/** One string as Route 53 wants it; challenge values are base64url, but quote what needs it anyway. */
export function quoteTxtValue(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
