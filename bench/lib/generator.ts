// Realistic, reproducible data: courts with a skewed case load, Chinese names with a
// realistic share of namesakes (plus one deliberately common name), valid resident IDs
// and credit codes, repeat debtors, organisations with their legal representatives,
// and each restriction's life so far (lifted, expired after its term, or active).
import {
  expireRestriction,
  imposeRestriction,
  liftRestriction,
  residentIdCheckChar,
  usccCheckChar,
  type AffectedPerson,
  type ImposeCommand,
  type ListingGround,
  type RestrictionState,
  type Subject,
} from '@cd/domain';
import { uuidv7 } from '@cd/contracts';

export interface Court {
  code: string;
  name: string;
  /** Province abbreviation used in case numbers. */
  province: string;
}

const PROVINCES = ['京', '津', '冀', '晋', '蒙', '辽', '吉', '黑', '沪', '苏', '浙', '皖', '闽', '赣', '鲁', '豫', '鄂', '湘', '粤', '桂', '琼', '渝', '川', '贵', '云', '陕', '甘', '青', '宁', '新'];
const CITIES = ['北京', '上海', '广州', '深圳', '成都', '杭州', '武汉', '西安', '南京', '重庆', '天津', '苏州', '长沙', '郑州', '青岛', '沈阳', '宁波', '昆明', '福州', '合肥'];
const REGIONS = ['110101', '110105', '110108', '120101', '130102', '210102', '310101', '310115', '320102', '330106', '340102', '350102', '370102', '410105', '420106', '430104', '440106', '440305', '500103', '510104', '610113', '530102'];
// Frequent surnames first (roughly by population share).
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志文斌宇浩凯健俊帆帅旭宁龙林欣佳晨阳雪梅琳颖婷倩慧巧美淑惠珠翠雅芝妍茜秋珊莎锦黛青倩婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽'.split('');
const ORG_WORDS = ['华信', '宏达', '鑫源', '恒通', '中科', '瑞丰', '金泰', '盛世', '新纪元', '天成', '博远', '东方', '海纳', '汇丰', '永安'];
const ORG_TRADES = ['贸易', '建设工程', '房地产开发', '商贸', '科技', '物流', '餐饮管理', '投资管理', '实业', '文化传媒'];
const GROUNDS: ListingGround[] = ['ABLE_BUT_REFUSES', 'OBSTRUCTS_ENFORCEMENT', 'EVADES_ENFORCEMENT', 'VIOLATES_ASSET_REPORTING', 'VIOLATES_CONSUMPTION_ORDER', 'DEFAULTS_ON_SETTLEMENT'];
const CONDUCTS = ['转移财产规避执行', '虚假申报财产', '违反限制消费令', '拒不履行和解协议', '以暴力方法妨碍执行'];
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const DAY = 86_400_000;

/** mulberry32: small, fast, reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticCourts(count: number): Court[] {
  return Array.from({ length: count }, (_, i) => {
    const province = PROVINCES[i % PROVINCES.length];
    return { code: String(200000 + i), name: `${province}第${i + 1}基层人民法院（压测）`, province };
  });
}

export interface Person {
  name: string;
  identifier: string;
}

export interface GeneratedImpose {
  command: ImposeCommand;
  courtCode: string;
}

export class DataGenerator {
  private readonly random: () => number;
  private readonly recentSubjects: Subject[] = [];
  private caseSerial = 0;
  hotNameCount = 0;

  constructor(
    seed: number,
    private readonly courts: Court[],
    readonly options: { hotName: string; hotNameRate: number; repeatDebtorRate: number; organisationRate: number } = {
      hotName: '王伟',
      hotNameRate: 0.0003,
      repeatDebtorRate: 0.25,
      organisationRate: 0.15,
    },
  ) {
    this.random = prng(seed);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** Power-law choice: low indexes are much more likely (busy courts, frequent surnames). */
  skewed<T>(items: readonly T[], power = 2): T {
    return items[Math.floor(this.random() ** power * items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  personName(): string {
    if (this.chance(this.options.hotNameRate)) {
      this.hotNameCount++;
      return this.options.hotName;
    }
    const given = this.chance(0.35) ? this.skewed(GIVEN, 1.5) : this.skewed(GIVEN, 1.5) + this.pick(GIVEN);
    return this.skewed(SURNAMES, 2.2) + given;
  }

  residentId(bornFrom = 1950, bornTo = 2000): string {
    const year = bornFrom + Math.floor(this.random() * (bornTo - bornFrom + 1));
    const month = 1 + Math.floor(this.random() * 12);
    const day = 1 + Math.floor(this.random() * 28);
    const first17 = `${this.pick(REGIONS)}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(Math.floor(this.random() * 1000)).padStart(3, '0')}`;
    return first17 + residentIdCheckChar(first17);
  }

  creditCode(): string {
    const body = Array.from({ length: 9 }, () => USCC_ALPHABET[Math.floor(this.random() * 31)]).join('');
    const first17 = `91${this.pick(REGIONS)}${body}`;
    return first17 + usccCheckChar(first17);
  }

  court(): Court {
    return this.skewed(this.courts, 2);
  }

  caseNumber(court: Court, year: number): string {
    this.caseSerial++;
    return `（${year}）${court.province}${court.code.slice(2)}执${this.caseSerial}号`;
  }

  private subject(): Subject {
    if (this.recentSubjects.length > 100 && this.chance(this.options.repeatDebtorRate)) return this.pick(this.recentSubjects);
    const subject: Subject = this.chance(this.options.organisationRate)
      ? {
          type: 'ORGANISATION',
          name: `${this.pick(CITIES)}${this.pick(ORG_WORDS)}${this.pick(ORG_TRADES)}有限公司`,
          identifier: { type: 'USCC', value: this.creditCode() },
          legalRepresentative: this.personName(),
        }
      : (() => {
          const value = this.residentId();
          return { type: 'PERSON', name: this.personName(), identifier: { type: 'RESIDENT_ID', value }, sex: Number(value[16]) % 2 === 1 ? 'MALE' : 'FEMALE' } as Subject;
        })();
    if (this.recentSubjects.length < 20_000) this.recentSubjects.push(subject);
    else this.recentSubjects[Math.floor(this.random() * this.recentSubjects.length)] = subject;
    return subject;
  }

  /** A court's decision at `decidedAt`: listing (with its consumption restriction), consumption restriction or exit ban. */
  imposeCommand(decidedAt: Date, kind?: ImposeCommand['kind']): GeneratedImpose {
    const court = this.court();
    const subject = this.subject();
    const affectedPersons: AffectedPerson[] =
      subject.type === 'ORGANISATION' ? [{ role: 'LEGAL_REPRESENTATIVE', name: subject.legalRepresentative!, identifier: { type: 'RESIDENT_ID', value: this.residentId() } }] : [];
    const roll = kind === undefined ? this.random() : { DISHONEST_LISTING: 0, CONSUMPTION_RESTRICTION: 0.6, EXIT_BAN: 0.9 }[kind];
    const year = decidedAt.getUTCFullYear() - (this.chance(0.3) ? 1 : 0);
    const base = {
      subject,
      affectedPersons,
      case: {
        caseNumber: this.caseNumber(court, year),
        courtCode: court.code,
        enforcementBasis: { issuer: court.name.replace('（压测）', ''), documentNumber: `（${year - 1}）${court.province}${court.code.slice(2)}民初${Math.floor(this.random() * 9000) + 1000}号` },
        filingDate: new Date(decidedAt.getTime() - (20 + Math.floor(this.random() * 200)) * DAY).toISOString().slice(0, 10),
      },
      decidedAt: decidedAt.toISOString(),
    };
    let command: ImposeCommand;
    if (roll < 0.5) {
      const ground = this.pick(GROUNDS);
      command = {
        ...base,
        kind: 'DISHONEST_LISTING',
        ground,
        ...(ground === 'ABLE_BUT_REFUSES' ? { noExclusionAttested: true } : {}),
        obligation: `支付货款人民币${(Math.floor(this.random() * 5000) + 10) * 1000}元及利息`,
        performanceStatus: this.chance(0.7) ? '全部未履行' : '部分履行',
        dishonestConduct: this.pick(CONDUCTS),
      };
    } else if (roll < 0.85) {
      command = { ...base, kind: 'CONSUMPTION_RESTRICTION' };
    } else {
      command = { ...base, kind: 'EXIT_BAN' };
    }
    return { command, courtCode: court.code };
  }

  /**
   * The current states of one decision taken at `decidedAt`, as of `now`: some lifted by
   * the court since, listings whose term ran out expired (as the service's scheduler does).
   */
  history(decidedAt: Date, now: Date): RestrictionState[] {
    const { command } = this.imposeCommand(decidedAt);
    const states = imposeRestriction(command, { now, newId: () => uuidv7(decidedAt.getTime()), priorListings: [] });
    const liftAt = this.chance(0.3) ? new Date(decidedAt.getTime() + this.random() * (now.getTime() - decidedAt.getTime())) : undefined;
    const [primary, ...linked] = states;
    const expiry = primary.expiresAt ? new Date(primary.expiresAt) : undefined;
    if (liftAt && (!expiry || liftAt < expiry)) {
      return states.map((state) => liftRestriction(state, { reason: 'PERFORMED', liftedAt: liftAt.toISOString() }, { now }));
    }
    if (expiry && expiry <= now) {
      return [expireRestriction(primary, expiry), ...linked];
    }
    return states;
  }
}
