import type { ConsumptionMeasure, LiftReason, ListingGround, PersonRole, RestrictionKind } from '@cd/domain';

// Short Chinese texts shown beside the enum codes on the debtor and public surfaces.
// The codes are the contract; the texts are for people reading the response.

export const KIND_TEXT: Record<RestrictionKind, string> = {
  DISHONEST_LISTING: '纳入失信被执行人名单',
  CONSUMPTION_RESTRICTION: '限制消费令',
  EXIT_BAN: '限制出境',
};

// List Rules Art. 1.
export const GROUND_TEXT: Record<ListingGround, string> = {
  ABLE_BUT_REFUSES: '有履行能力而拒不履行生效法律文书确定义务',
  OBSTRUCTS_ENFORCEMENT: '以伪造证据、暴力、威胁等方法妨碍、抗拒执行',
  EVADES_ENFORCEMENT: '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行',
  VIOLATES_ASSET_REPORTING: '违反财产报告制度',
  VIOLATES_CONSUMPTION_ORDER: '违反限制消费令',
  DEFAULTS_ON_SETTLEMENT: '无正当理由拒不履行执行和解协议',
};

// Consumption Rules Art. 3.
export const MEASURE_TEXT: Record<ConsumptionMeasure, string> = {
  AIR_TRAVEL: '乘坐交通工具时，选择飞机',
  SOFT_SLEEPER: '乘坐列车软卧',
  SHIP_SECOND_CLASS_OR_ABOVE: '乘坐轮船二等以上舱位',
  HIGH_SPEED_RAIL: '乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位',
  STAR_HOTELS_AND_LUXURY_VENUES: '在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费',
  REAL_ESTATE: '购买不动产或者新建、扩建、高档装修房屋',
  HIGH_END_OFFICE_LEASE: '租赁高档写字楼、宾馆、公寓等场所办公',
  NON_ESSENTIAL_VEHICLE: '购买非经营必需车辆',
  TRAVEL_AND_HOLIDAY: '旅游、度假',
  PRIVATE_SCHOOL_FEES: '子女就读高收费私立学校',
  HIGH_PREMIUM_INSURANCE: '支付高额保费购买保险理财产品',
};

// List Rules Art. 8; 2016 Opinions ("一处失信、处处受限").
export const LISTING_EFFECTS = {
  PUBLICATION: '通过失信被执行人名单库向社会公布',
  HIGH_CONSUMPTION: '同时限制高消费及非生活和工作必需的消费（见关联的限制消费令）',
  FINANCING_AND_CREDIT: '融资信贷受限',
  MARKET_ACCESS: '市场准入、行政许可受限',
  OFFICE_HOLDING: '不得担任法定代表人、董事、监事、高级管理人员',
  PROCUREMENT_AND_BIDDING: '政府采购、招标投标受限',
  SUBSIDIES_AND_HONOURS: '政府补贴、政策扶持及评先评优受限',
  CREDIT_REPORTING: '向征信机构通报，记入信用记录',
} as const;

export const EXIT_EFFECT = { EXIT: '限制出境（出入境边防检查机关不予放行）' } as const;

export const ROLE_TEXT: Record<PersonRole, string> = {
  LEGAL_REPRESENTATIVE: '法定代表人',
  PRINCIPAL_PERSON_IN_CHARGE: '主要负责人',
  DIRECTLY_RESPONSIBLE_PERSON: '直接责任人员',
  ACTUAL_CONTROLLER: '实际控制人',
  LEGAL_AGENT: '法定代理人',
};

export const LIFT_REASON_TEXT: Record<LiftReason, string> = {
  PERFORMED: '已履行完毕',
  SETTLEMENT_PERFORMED: '达成执行和解协议并已履行完毕',
  CREDITOR_REQUEST: '申请执行人书面申请删除，人民法院审查同意',
  NO_ASSETS_FOUND: '终结本次执行程序后未发现可供执行的财产',
  SUSPENDED: '中止执行',
  NOT_TO_BE_ENFORCED: '裁定不予执行',
  ENFORCEMENT_TERMINATED: '裁定终结执行',
  TERM_EXPIRED: '期限届满',
  EARLY_DELETION: '提前删除',
  REVOKED: '撤销（错误纳入或发布）',
  SECURITY_PROVIDED: '提供确实有效的担保',
  CREDITOR_CONSENT: '申请执行人同意',
};
