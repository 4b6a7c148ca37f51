/**
 * The record writer's environment (src/settings.ts readWriterSettings): DDNS_WRITER_MARK_DAYS, the
 * applied marks' retention Terraform passes from the state bucket's expiry, is a whole number of days
 * or absent (the marks' own default); anything else stops the writer with a message naming it.
 */
import { describe, expect, it } from "vitest";
import { UnavailableError } from "../../src/core/errors.js";
import { readWriterSettings } from "../../src/settings.js";

describe("record writer settings", () => {
  it("passes DDNS_WRITER_MARK_DAYS on as a number of days, and leaves it unset when absent or empty", () => {
    expect(readWriterSettings({ DDNS_WRITER_MARK_DAYS: "30" }).markDays).toBe(30);
    expect(readWriterSettings({}).markDays).toBeUndefined();
    expect(readWriterSettings({ DDNS_WRITER_MARK_DAYS: "" }).markDays).toBeUndefined();
  });

  it.each(["0", "-3", "1.5", "thirty"])(
    "refuses DDNS_WRITER_MARK_DAYS=%s with a message naming it",
    (raw) => {
      const read = () => readWriterSettings({ DDNS_WRITER_MARK_DAYS: raw });
      expect(read).toThrow(UnavailableError);
      expect(read).toThrow(`DDNS_WRITER_MARK_DAYS must be a whole number of days, not "${raw}".`);
    },
  );
});
