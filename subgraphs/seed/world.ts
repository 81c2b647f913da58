// Fixed facts and small helpers of the demo district: its agencies, names, a seeded PRNG, dates.
import { residentIdCheck } from '../shared/index.js';
import { MATTERS, type ActCategory, type Matter } from './matters.js';

export interface AgencySpec {
  id: string;
  short: string;
  name: string;
  nameEn: string;
  kind: 'BUREAU' | 'COMMISSION' | 'OFFICE' | 'SUB_DISTRICT';
  head: string;
  deputy: string;
  /** The category of most of its acts (its matters hold the rest). */
  category: ActCategory;
  /** Relative share of the district's disputes and cases. */
  weight: number;
  /** What it decides, and so what it is sued and advised about (matters.ts). */
  matters: Matter[];
}

const AGENCY_LIST: Omit<AgencySpec, 'matters'>[] = [
  { id: 'AG-NRB', short: '自然资', name: '区自然资源局', nameEn: 'District Natural Resources Bureau', kind: 'BUREAU', head: '王建国', deputy: '李明', category: 'LAND_EXPROPRIATION', weight: 3 },
  { id: 'AG-HCB', short: '住建', name: '区住房和城乡建设局', nameEn: 'District Housing and Urban-Rural Development Bureau', kind: 'BUREAU', head: '陈志强', deputy: '周涛', category: 'HOUSING_DEMOLITION', weight: 3 },
  { id: 'AG-HRS', short: '人社', name: '区人力资源和社会保障局', nameEn: 'District Human Resources and Social Security Bureau', kind: 'BUREAU', head: '刘芳', deputy: '吴刚', category: 'SOCIAL_SECURITY', weight: 2 },
  { id: 'AG-PSB', short: '公', name: '区公安分局', nameEn: 'District Public Security Sub-bureau', kind: 'BUREAU', head: '赵卫东', deputy: '孙磊', category: 'PUBLIC_SECURITY_PENALTY', weight: 2 },
  { id: 'AG-MRB', short: '市监', name: '区市场监督管理局', nameEn: 'District Market Regulation Bureau', kind: 'BUREAU', head: '黄丽', deputy: '郑斌', category: 'MARKET_REGULATION', weight: 2 },
  { id: 'AG-EEB', short: '环', name: '区生态环境分局', nameEn: 'District Ecology and Environment Sub-bureau', kind: 'BUREAU', head: '徐海', deputy: '马骏', category: 'OTHER', weight: 1 },
  { id: 'AG-UMB', short: '城管', name: '区城市管理综合行政执法局', nameEn: 'District Urban Management Law Enforcement Bureau', kind: 'BUREAU', head: '朱红梅', deputy: '胡军', category: 'HOUSING_DEMOLITION', weight: 1 },
  { id: 'AG-TRB', short: '交', name: '区交通运输局', nameEn: 'District Transport Bureau', kind: 'BUREAU', head: '高峰', deputy: '林涛', category: 'OTHER', weight: 1 },
  { id: 'AG-HHC', short: '卫健', name: '区卫生健康委员会', nameEn: 'District Health Commission', kind: 'COMMISSION', head: '何静', deputy: '罗平', category: 'OTHER', weight: 1 },
  { id: 'AG-EDB', short: '教', name: '区教育局', nameEn: 'District Education Bureau', kind: 'BUREAU', head: '梁晓燕', deputy: '宋杰', category: 'OTHER', weight: 1 },
  { id: 'AG-CAB', short: '民', name: '区民政局', nameEn: 'District Civil Affairs Bureau', kind: 'BUREAU', head: '谢伟', deputy: '韩雪', category: 'SOCIAL_SECURITY', weight: 1 },
  { id: 'AG-XLS', short: '新林街', name: '新林街道办事处', nameEn: 'Xinlin Sub-district Office', kind: 'SUB_DISTRICT', head: '唐军', deputy: '冯丽', category: 'HOUSING_DEMOLITION', weight: 1 },
];

export const AGENCIES: AgencySpec[] = AGENCY_LIST.map((a) => {
  const matters = MATTERS[a.id];
  if (!matters?.length) throw new Error(`the demo district's ${a.id} has no matters`);
  return { ...a, matters };
});

/** How an agency names itself in a letter: 我局, 我委, 我办. */
export function selfReference(agency: AgencySpec): string {
  return agency.kind === 'COMMISSION' ? '我委' : agency.kind === 'SUB_DISTRICT' ? '我办' : '我局';
}

export { DISTRICT_NAME } from '../shared/index.js';

export const SURNAMES = '张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段'.split('');
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯晨欣怡佳琪梓轩子涵雨婷思远志国海波家豪'.split('');
export const COMPANY_WORDS = ['恒达', '华建', '新锐', '鼎盛', '瑞丰', '金桥', '宏远', '立信', '德润', '嘉和', '安泰', '中联'];
export const COMPANY_KINDS = ['建设工程有限公司', '置业有限公司', '食品有限公司', '物流有限公司', '科技有限公司', '商贸有限公司'];
export const JUDGES = ['周立新', '钱雅琴', '孙浩然', '李慧敏', '吴振华', '郑晓东'];


export { createRandom, type Random } from './random.js';
import type { Random } from './random.js';

const DAY = 86_400_000;

export function utcDay(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY);
}

/** A random day in [from, to). */
export function randomDay(random: Random, from: Date, to: Date): Date {
  const days = Math.max(1, Math.round((to.getTime() - from.getTime()) / DAY));
  return addDays(from, Math.floor(random.next() * days));
}

export function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

export function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

export function residentIdNumber(random: Random): string {
  const birth = randomDay(random, utcDay(1950, 1, 1), utcDay(2004, 1, 1)).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `320102${birth}${String(random.int(0, 999)).padStart(3, '0')}`;
  return first17 + residentIdCheck(first17);
}

export function mobileNumber(random: Random): string {
  return `1${random.pick(['3', '5', '8', '9'])}${String(random.int(0, 999_999_999)).padStart(9, '0')}`;
}
