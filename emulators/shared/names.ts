import type { Rng } from './hash.js';

/** Word lists for Chinese names in the emulated world. */

export const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤'.split('');

export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂晓文华建国玲红英志海婷颖鑫宇浩然子涵欣怡俊博嘉睿思雨泽梓萱轩晨阳琳慧佳鹏飞雪梅兰凤云峰辉斌宁亮倩雯昊天翔瑞祥荣蓉琪瑶璐'.split('');

/**
 * Characters that exist in GB18030 but not in GBK (CJK Extension A/B; four bytes in GB18030).
 * Real registries hold names with them; a billing system that says `charset=GBK` but stores
 * GB18030 sends them as four-byte sequences.
 */
export const GB18030_ONLY = ['㛃', '㼆', '㴶', '㵘', '𡒄', '𨚕', '𠇔', '𬌗', '𪚥'];

const ORG_WORDS = '腾跃华信恒通远航鼎盛创新宏达瑞丰金桥星辰海纳天元嘉禾博远中联明德正和新锐盛世龙腾安捷汇丰卓越'.split('');
const ORG_TRADES = ['科技', '物流', '贸易', '电子', '制造', '建设', '餐饮', '医药', '教育科技', '信息技术', '实业', '商贸', '纺织', '新材料'];
const ORG_SUFFIX = ['有限公司', '股份有限公司', '集团有限公司'];
const GOV_NAMES = ['教育局', '人民医院', '公安局', '税务局', '交通运输局', '第一中学', '市场监督管理局', '人民政府办公室', '卫生健康委员会'];

/** A person's name: surname + one or two given-name characters, rarely one only in GB18030. */
export function personName(rng: Rng, rareChar: boolean): string {
  const surname = rng.pick(SURNAMES);
  const len = rng.chance(0.7) ? 2 : 1;
  let given = '';
  for (let k = 0; k < len; k++) given += rng.pick(GIVEN);
  if (rareChar) given = given.slice(0, -1) + rng.pick(GB18030_ONLY);
  return surname + given;
}

/** An organisation's name, prefixed with its city. */
export function organisationName(rng: Rng, city: string, government: boolean): string {
  if (government) return `${city}市${rng.pick(GOV_NAMES)}`;
  const brand = rng.pick(ORG_WORDS) + rng.pick(ORG_WORDS);
  return `${city}${brand}${rng.pick(ORG_TRADES)}${rng.pick(ORG_SUFFIX)}`;
}
