/**
 * Cron expressions as Cloudflare's Cron Triggers read them: five fields (minute, hour, day of
 * month, month, weekday), UTC, with `*`, `,`, `-` and `/` everywhere, month and weekday names
 * (case-insensitive, three letters), weekdays 1-7 with 1 = Sunday, and the Quartz-like extensions
 * Cloudflare documents: `L` and `W` in the day of month (`L`, `LW`, `15W`), `L` and `#` in the
 * weekday (`6L`/`friL`: the last Friday; `MON#2`: the second Monday). When both the day of month
 * and the weekday are restricted, a day matching either fires, as in standard cron.
 */
export interface CronSchedule {
  readonly expression: string;
  /** The first firing strictly after `after` (whole minutes, UTC); null if none within five years. */
  next(after: Date): Date | null;
}

export class CronSyntaxError extends Error {}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const minuteField: FieldSpec = { name: 'minute', min: 0, max: 59 };
const hourField: FieldSpec = { name: 'hour', min: 0, max: 23 };
const dayField: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const monthField: FieldSpec = { name: 'month', min: 1, max: 12, names: months };
const weekdayField: FieldSpec = { name: 'weekday', min: 1, max: 7, names: weekdays };

/** A value of a field: a number, or a name that stands for one (JAN = 1, SUN = 1). */
function value(text: string, field: FieldSpec, expression: string): number {
  const lower = text.toLowerCase();
  const named = field.names?.indexOf(lower) ?? -1;
  const number = named >= 0 ? named + field.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(number) || number < field.min || number > field.max) {
    const names = field.names ? ` or ${field.names[0].toUpperCase()}-${field.names[field.names.length - 1].toUpperCase()}` : '';
    const sunday = field === weekdayField ? ' (1 = Sunday)' : '';
    throw new CronSyntaxError(`"${expression}": "${text}" is not a valid ${field.name}; use ${field.min}-${field.max}${sunday}${names}.`);
  }
  return number;
}

/** The values a plain field allows (`*`, lists, ranges, steps), as a set. */
function values(text: string, field: FieldSpec, expression: string): Set<number> {
  const allowed = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new CronSyntaxError(`"${expression}": "${part}" is not a valid ${field.name} term.`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) {
      throw new CronSyntaxError(`"${expression}": the step "${stepText}" in the ${field.name} must be a whole number of at least 1.`);
    }
    let [from, to] = [field.min, field.max];
    if (range !== '*') {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new CronSyntaxError(`"${expression}": "${range}" is not a valid ${field.name} range.`);
      from = value(bounds[0], field, expression);
      to = bounds.length === 2 ? value(bounds[1], field, expression) : stepText === undefined ? from : field.max;
      if (to < from) throw new CronSyntaxError(`"${expression}": the ${field.name} range "${range}" runs backwards.`);
    }
    for (let v = from; v <= to; v += step) allowed.add(v);
  }
  return allowed;
}

/** A day-of-month rule: plain values, the last day (`L`), the last weekday (`LW`), or the weekday nearest a day (`15W`). */
type DayRule = { kind: 'values'; days: Set<number> } | { kind: 'last' } | { kind: 'lastWeekday' } | { kind: 'nearestWeekday'; day: number };
/** A weekday rule: plain values, the last such weekday of the month (`6L`), or the nth (`MON#2`). */
type WeekdayRule = { kind: 'values'; days: Set<number> } | { kind: 'last'; weekday: number } | { kind: 'nth'; weekday: number; nth: number };

function dayRule(text: string, expression: string): DayRule {
  const upper = text.toUpperCase();
  if (upper === 'L') return { kind: 'last' };
  if (upper === 'LW') return { kind: 'lastWeekday' };
  if (/^\d+W$/i.test(text)) return { kind: 'nearestWeekday', day: value(text.slice(0, -1), dayField, expression) };
  if (/[LW]/i.test(text)) throw new CronSyntaxError(`"${expression}": in the day of month, L and W stand alone (L, LW) or follow one day (15W).`);
  return { kind: 'values', days: values(text, dayField, expression) };
}

function weekdayRule(text: string, expression: string): WeekdayRule {
  const last = /^(.+)L$/i.exec(text);
  if (last) return { kind: 'last', weekday: value(last[1], weekdayField, expression) };
  const nth = /^(.+)#(\d+)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronSyntaxError(`"${expression}": "#${nth[2]}" must be 1-5 (the first to the fifth such weekday of the month).`);
    return { kind: 'nth', weekday: value(nth[1], weekdayField, expression), nth: n };
  }
  if (/[L#]/i.test(text)) {
    throw new CronSyntaxError(`"${expression}": in the weekday, L follows one weekday (6L, FRIL) and # joins a weekday and 1-5 (MON#2).`);
  }
  return { kind: 'values', days: values(text, weekdayField, expression) };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function matchesDay(rule: DayRule, year: number, month: number, day: number): boolean {
  const last = daysIn(year, month);
  switch (rule.kind) {
    case 'values':
      return rule.days.has(day);
    case 'last':
      return day === last;
    case 'lastWeekday': {
      let target = last;
      while ([1, 7].includes(weekdayOf(year, month, target))) target--;
      return day === target;
    }
    case 'nearestWeekday': {
      const wanted = Math.min(rule.day, last);
      const weekday = weekdayOf(year, month, wanted);
      // Saturday moves to Friday (or Monday at the month's start), Sunday to Monday (or Friday at its end); never across months.
      let target = wanted;
      if (weekday === 7) target = wanted === 1 ? 3 : wanted - 1;
      if (weekday === 1) target = wanted === last ? wanted - 2 : wanted + 1;
      return day === target;
    }
  }
}

function matchesWeekday(rule: WeekdayRule, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'values':
      return rule.days.has(weekday);
    case 'last':
      return weekday === rule.weekday && day + 7 > daysIn(year, month);
    case 'nth':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
  }
}

const restricted = (text: string) => text !== '*';

/** Parses a cron expression, or throws a CronSyntaxError saying what to change. */
export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronSyntaxError(`"${expression}" has ${fields.length} fields; a cron expression has five: minute hour day-of-month month weekday (UTC).`);
  }
  const [minuteText, hourText, dayText, monthText, weekdayText] = fields;
  const minutes = [...values(minuteText, minuteField, expression)].sort((a, b) => a - b);
  const hours = [...values(hourText, hourField, expression)].sort((a, b) => a - b);
  const day = dayRule(dayText, expression);
  const monthsAllowed = values(monthText, monthField, expression);
  const weekday = weekdayRule(weekdayText, expression);
  const dayRestricted = restricted(dayText);
  const weekdayRestricted = restricted(weekdayText);

  const dayMatches = (year: number, month: number, date: number) => {
    if (!monthsAllowed.has(month)) return false;
    if (dayRestricted && weekdayRestricted) return matchesDay(day, year, month, date) || matchesWeekday(weekday, year, month, date);
    if (dayRestricted) return matchesDay(day, year, month, date);
    if (weekdayRestricted) return matchesWeekday(weekday, year, month, date);
    return true;
  };

  return {
    expression,
    next(after: Date): Date | null {
      // The next whole minute after `after`.
      const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      const firstDay = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
      for (let d = 0; d < 366 * 5; d++) {
        const date = new Date(firstDay + d * 86_400_000);
        const [year, month, dayOfMonth] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        if (!dayMatches(year, month, dayOfMonth)) continue;
        const fromMinute = d === 0 ? start.getUTCHours() * 60 + start.getUTCMinutes() : 0;
        for (const hour of hours) {
          for (const minute of minutes) {
            if (hour * 60 + minute >= fromMinute) return new Date(date.getTime() + (hour * 60 + minute) * 60_000);
          }
        }
      }
      return null;
    },
  };
}
