import { hash, Rng } from '../shared/hash.js';
import { Permutation } from '../shared/permutation.js';
import { DAY, HOUR, MINUTE } from '../shared/time.js';
import type { World } from '../shared/world.js';
import { crmTime } from './customers.js';
import type { Row } from './fields.js';
import { weekOf, weekStart, type TicketFacts } from './ticketFacts.js';

/**
 * Activities (interactions with the contact centre) and satisfaction surveys, derived like
 * tickets from the world and the clock with absolute times and no per-customer storage.
 *
 * Activities: in each (customer, week) there are two slots, each holding an activity with
 * probability 0.12 (about one a month). The CRM keeps {@link ACTIVITY_RETENTION_WEEKS} weeks.
 * Some outbound activities are scheduled call-backs: they are listed as `Planned` from three days
 * before they start.
 *
 * Surveys: 45 % of closed (not cancelled) weekly tickets are followed by a survey 1–48 h after
 * closing; its scores lean on whether the ticket was resolved.
 */

export const ACTIVITY_RETENTION_WEEKS = 52;
const ACTIVITY_RATE = 0.12;
const PLANNED_LEAD_MS = 3 * DAY;

const enum S {
  Activity = 0xac71,
  ActivityPerm,
  Survey,
}

const mod = (x: number, m: number) => ((x % m) + m) % m;
const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface ActivityFacts {
  readonly id: string;
  readonly customer: number;
  readonly direction: string;
  readonly channel: string;
  readonly reason: string;
  readonly start: number;
  readonly agent: string;
  readonly scheduled: boolean;
  readonly cancelled: boolean;
  readonly durationMs: number;
  /** Set on activities written through the API: their status as written. */
  readonly fixedStatus?: string;
}

export interface SurveyFacts {
  readonly customer: number;
  readonly csat: number;
  readonly nps: number;
  readonly date: number;
}

const INBOUND_REASONS = ['咨询话费账单', '查询套餐余量', '故障报修', '投诉处理进度查询', '办理业务咨询', '宽带安装预约'];
const OUTBOUND_REASONS = ['投诉处理回访', '满意度回访', '套餐升级推荐', '欠费缴费提醒', '故障修复确认', '合约到期续约'];

export function activityStatus(a: ActivityFacts, now: number): string {
  if (a.fixedStatus) return a.fixedStatus;
  if (a.start > now) return 'Planned';
  if (now < a.start + a.durationMs) return 'In Progress';
  return a.cancelled ? 'Cancelled' : 'Done';
}

export function activityRow(a: ActivityFacts, customerId: string, now: number): Row {
  return {
    'Activity Id': a.id,
    'Customer Id': customerId,
    Direction: a.direction,
    Channel: a.channel,
    Reason: a.reason,
    Start: crmTime(a.start),
    Agent: a.agent,
    Status: activityStatus(a, now),
  };
}

export function surveyRow(s: SurveyFacts, customerId: string): Row {
  return { 'Customer Id': customerId, CSAT: String(s.csat), NPS: String(s.nps), Date: crmTime(s.date) };
}

export class InteractionModel {
  private readonly perm: Permutation;
  /** Activity values from here on are the overlay's. */
  readonly overlayBase: number;

  constructor(private readonly world: World) {
    this.perm = new Permutation(36 ** 8, hash(world.seed, S.ActivityPerm));
    this.overlayBase = world.customerCount * 128;
  }

  private idOf(v: number): string {
    let x = this.perm.forward(v);
    let s = '';
    for (let k = 0; k < 8; k++) {
      s = BASE36[x % 36] + s;
      x = Math.floor(x / 36);
    }
    return `1-${s}`;
  }

  overlayId(seq: number): string {
    return this.idOf(this.overlayBase + seq);
  }

  /** The generated activity with this id visible at `now`, 'overlay' for the overlay's range, or undefined. */
  decode(id: string, now: number): ActivityFacts | 'overlay' | undefined {
    if (!/^1-[0-9A-Z]{8}$/.test(id)) return undefined;
    let y = 0;
    for (const ch of id.slice(2)) y = y * 36 + BASE36.indexOf(ch);
    const v = this.perm.inverse(y);
    if (v >= this.overlayBase) return 'overlay';
    const last = weekOf(now) + 1;
    const w = last - mod(last - (Math.floor(v / 2) % 64), 64);
    const a = this.activity(Math.floor(v / 128), w, v % 2, now);
    return a && a.id === id ? a : undefined;
  }

  /** Customer `i`'s activity in slot `sub` of week `w`, if there is one and it is visible at `now`. */
  activity(i: number, w: number, sub: number, now: number): ActivityFacts | undefined {
    const cur = weekOf(now);
    if (w < 0 || w > cur + 1 || w <= cur - ACTIVITY_RETENTION_WEEKS) return undefined;
    const rng = new Rng(hash(this.world.seed, S.Activity, i, w, sub));
    if (!rng.chance(ACTIVITY_RATE)) return undefined;
    const c = this.world.customer(i);
    const start = weekStart(w) + rng.int(0, 6) * DAY + rng.int(8 * 3600, 21 * 3600) * 1000;
    if (start < c.createdAt) return undefined;
    const inbound = rng.chance(0.65);
    const scheduled = !inbound && rng.chance(0.3);
    if (start > now && !(scheduled && start - PLANNED_LEAD_MS <= now)) return undefined;
    const channel = inbound
      ? rng.weighted<string>([
          ['Phone', 50],
          ['WeChat', 15],
          ['App', 10],
          ['Store', 15],
          ['Email', 5],
          ['Web', 5],
        ])
      : rng.weighted<string>([
          ['Phone', 60],
          ['SMS', 30],
          ['Email', 10],
        ]);
    return {
      id: this.idOf((i * 64 + mod(w, 64)) * 2 + sub),
      customer: i,
      direction: inbound ? 'Inbound' : 'Outbound',
      channel,
      reason: rng.pick(inbound ? INBOUND_REASONS : OUTBOUND_REASONS),
      start,
      agent: `${c.localNetwork}-${rng.int(1000, 9999)}`,
      scheduled,
      cancelled: rng.chance(0.04),
      durationMs: rng.int(2, 30) * MINUTE,
    };
  }

  /** Customer `i`'s generated activities visible at `now`, newest first. */
  activitiesOf(i: number, now: number): ActivityFacts[] {
    const out: ActivityFacts[] = [];
    const cur = weekOf(now);
    for (let w = cur + 1; w > cur - ACTIVITY_RETENTION_WEEKS; w--) {
      for (let sub = 0; sub < 2; sub++) {
        const a = this.activity(i, w, sub, now);
        if (a) out.push(a);
      }
    }
    return out.sort((x, y) => y.start - x.start);
  }

  /** The survey that followed a ticket, if any and if taken by `now`. */
  surveyOf(t: TicketFacts, now: number): SurveyFacts | undefined {
    if (t.week === undefined || t.cancelled || now < t.closeAt) return undefined;
    const rng = new Rng(hash(this.world.seed, S.Survey, t.customer, t.week));
    if (!rng.chance(0.45)) return undefined;
    const date = t.closeAt + rng.int(1, 48) * HOUR;
    if (date > now) return undefined;
    const csat = t.resolution
      ? rng.weighted<number>([
          [5, 40],
          [4, 35],
          [3, 15],
          [2, 6],
          [1, 4],
        ])
      : rng.weighted<number>([
          [5, 10],
          [4, 20],
          [3, 30],
          [2, 22],
          [1, 18],
        ]);
    const nps = Math.min(10, Math.max(0, csat * 2 + rng.int(-2, 1)));
    return { customer: t.customer, csat, nps, date };
  }
}
