// Days in the district's time zone (DISTRICT_TIME_ZONE, Asia/Shanghai by default): the auditors
// count and read the log by the days they live in, and a Beijing day starts at 16:00 UTC the day
// before. Written over Intl, which carries the zone rules (daylight saving included, for a zone
// that has it), so no table of offsets is kept here.

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (`YYYY-MM-DD`) an instant falls on in `zone`. */
export function localDay(zone: string): (instant: Date) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(zone: string, instant: Date): number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a calendar date (`YYYY-MM-DD`) begins in `zone`. */
export function startOfLocalDay(day: string | Date, zone: string): Date {
  const date = typeof day === 'string' ? new Date(`${day}T00:00:00Z`) : day;
  const wall = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  // The offset at the guess, then at the corrected guess: right across a daylight-saving change.
  let instant = wall - offsetAt(zone, new Date(wall));
  instant = wall - offsetAt(zone, new Date(instant));
  return new Date(instant);
}
