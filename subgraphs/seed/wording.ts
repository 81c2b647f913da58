// The texts of the demo district's records, written from the matter each concerns (matters.ts):
// a judgment's reasons, a reconsideration decision's, a prosecutor's notes, a suggestion and the
// agency's reply to it. The functions draw only wording (the generator passes its wording stream),
// so rewording a sentence moves no record; the two tables on top (which outcomes a lost case over a
// matter can have, and how likely it is lost) are the generator's, drawn on its record stream.
import { fill, type Matter, type MatterKind } from './matters.js';
import type { Random } from './random.js';

/** The outcomes of a lost case that fit a matter: a demolition already carried out cannot be revoked, only confirmed illegal or compensated. */
export const LOSING_OUTCOMES: Record<MatterKind, string[]> = {
  PENALTY: ['REVOKED', 'REVOKED', 'MODIFIED', 'CONFIRMED_ILLEGAL'],
  COMPENSATION: ['REVOKED', 'ORDERED_TO_PERFORM', 'COMPENSATION'],
  DETERMINATION: ['REVOKED', 'ORDERED_TO_PERFORM'],
  BENEFIT: ['REVOKED', 'ORDERED_TO_PERFORM'],
  PERMIT: ['REVOKED', 'ORDERED_TO_PERFORM'],
  REGISTRATION: ['REVOKED', 'ORDERED_TO_PERFORM'],
  ENFORCEMENT: ['CONFIRMED_ILLEGAL', 'COMPENSATION'],
  DISCLOSURE: ['ORDERED_TO_PERFORM', 'CONFIRMED_ILLEGAL'],
  COMPLAINT: ['ORDERED_TO_PERFORM', 'REVOKED'],
};

/** How much likelier a case over a matter of this kind is lost than a penalty case. */
export const LOSS_RISK: Record<MatterKind, number> = {
  PENALTY: 1,
  COMPENSATION: 1.5,
  DETERMINATION: 1,
  BENEFIT: 1,
  PERMIT: 1,
  REGISTRATION: 1,
  ENFORCEMENT: 1.5,
  DISCLOSURE: 1.25,
  COMPLAINT: 1,
};

const JUDGMENT_REASONS: Record<string, string[]> = {
  REVOKED: [
    '被诉{matter}决定存在{issue}的问题，主要证据不足，依法判决撤销，责令被告重新作出处理。',
    '经审查，被告作出被诉行为时存在{issue}的问题，判决撤销并责令重新作出。',
  ],
  MODIFIED: ['被诉处罚决定认定事实清楚，但未充分考虑当事人的违法情节和改正情况，处罚明显不当，依法判决变更罚款数额。'],
  CONFIRMED_ILLEGAL: [
    '被告实施被诉行为时存在{issue}的问题，被诉行为违法，因已不具有可撤销内容，判决确认违法。',
    '被诉行为存在{issue}的问题，依法应予撤销，但撤销将损害公共利益，判决确认违法，责令被告采取补救措施。',
  ],
  ORDERED_TO_PERFORM: [
    '原告申请后，被告在法定期限内未依法作出处理，判决被告于判决生效之日起六十日内依法履行{matter}法定职责。',
    '被告的答复存在{issue}的问题，未实际履行{matter}职责，判决责令被告限期重新处理。',
  ],
  COMPENSATION: [
    '被告实施的行为存在{issue}的问题，造成原告财产损失，判决被告予以赔偿。',
    '{matter}过程中被告存在{issue}的问题，致原告合法权益受损，判决赔偿原告相应损失。',
  ],
  DISMISSED_CLAIMS: [
    '被诉{matter}行为认定事实清楚，证据确凿，适用法律正确，程序合法，原告的诉讼请求不能成立，判决驳回。',
    '原告主张被告{issue}，但未提供证据证明，被诉行为并无不当，判决驳回诉讼请求。',
    '被告依照{law}作出被诉行为，职权依据充分，程序并无不当，判决驳回原告诉讼请求。',
  ],
  WITHDRAWN: [
    '审理期间，经合议庭协调，被告就{matter}问题与原告达成共识，原告申请撤诉，裁定准许。',
    '被告在诉讼中主动完善了相关程序，原告申请撤回起诉，经审查符合法律规定，裁定准许。',
  ],
  MEDIATED: [
    '经本院主持调解，双方就{matter}争议自愿达成调解协议，制作行政调解书。',
    '在行政争议调解中心组织下，双方围绕{matter}达成调解协议，本案以调解方式结案。',
  ],
};

/** Reasons that fit one kind of matter better than the general ones: a late disclosure answer is confirmed illegal because it was given, not for the public interest. */
const JUDGMENT_REASONS_FOR_KIND: Record<string, string[]> = {
  'CONFIRMED_ILLEGAL:DISCLOSURE': ['被告{issue}，程序违法，鉴于答复已实际作出，判决确认违法。'],
  'CONFIRMED_ILLEGAL:ENFORCEMENT': ['被告实施被诉行为时存在{issue}的问题，被诉行为违法，因行为已实施完毕、不具有可撤销内容，判决确认违法。'],
};

/** A collegial panel's deliberation note on a closed case. */
export function judgmentReasons(random: Random, outcome: string, matter: Matter): string {
  const reasons = JUDGMENT_REASONS_FOR_KIND[`${outcome}:${matter.kind}`] ?? JUDGMENT_REASONS[outcome] ?? JUDGMENT_REASONS.DISMISSED_CLAIMS!;
  return `合议庭评议：${fill(random.pick(reasons), random, { matter: matter.name, issue: random.pick(matter.issues), law: matter.law })}`;
}

const RECONSIDERATION_REASONS: Record<string, string[]> = {
  UPHELD: [
    '被申请人作出的{matter}决定认定事实清楚，证据确凿，适用依据正确，程序合法，内容适当，决定维持。',
    '申请人关于{issue}的主张缺乏事实依据，原{matter}决定并无不当，予以维持。',
  ],
  REVOKED: ['经审查，被申请人作出原{matter}决定时存在{issue}的问题，决定撤销原行政行为，责令其在六十日内重新作出。'],
  MODIFIED: ['原{matter}决定认定事实清楚，但裁量明显不当，决定予以变更。'],
  CONFIRMED_ILLEGAL: ['被申请人存在{issue}的问题，原行为违法，因不具有可撤销内容，决定确认违法。'],
  ORDERED_TO_PERFORM: ['被申请人作出原{matter}决定后，对申请人提出的相关请求逾期未作处理，决定责令其在法定期限内依法处理。'],
  MEDIATED: [
    '经复议机构主持调解，双方就{matter}争议达成调解协议，制作行政复议调解书。',
    '复议机构组织听证后开展调解，被申请人同意对{matter}事项重新核查，申请人接受，双方达成调解协议。',
  ],
  SETTLED: ['申请人与被申请人就{matter}争议自愿达成和解，和解内容不损害公共利益和他人合法权益，复议机构予以准许。'],
  WITHDRAWN: [
    '被申请人在复议期间主动对{matter}问题作出说明并纠正，申请人撤回复议申请，决定终止审理。',
    '申请人经释法说理后认可原{matter}决定，申请撤回复议申请，决定终止。',
  ],
  DISMISSED: [
    '申请人的复议申请超过法定申请期限且无正当理由，决定驳回复议申请。',
    '经审查，申请人与被申请的{matter}行为不具有利害关系，决定驳回复议申请。',
  ],
};

/** The reconsideration officer's note on a closed reconsideration. */
export function reconsiderationReasons(random: Random, outcome: string, matter: Matter): string {
  return `审理意见：${fill(random.pick(RECONSIDERATION_REASONS[outcome] ?? RECONSIDERATION_REASONS.UPHELD!), random, { matter: matter.name, issue: random.pick(matter.issues) })}`;
}

const PROSECUTOR_NOTES: Record<string, string[]> = {
  JUDGMENT_SUPERVISION: ['生效裁判认定事实和适用法律并无不当，但行政机关在{matter}工作中存在{issue}的问题，拟提出检察建议。', '生效裁判并无错误，申请人的监督申请不能成立，拟作出不支持监督申请决定，同时做好释法说理。'],
  TRIAL_PROCEDURE: ['审判程序中存在送达不规范问题，拟向法院提出检察建议；行政机关{issue}的问题一并关注。', '审判程序合法，未发现违法情形，拟终结审查。'],
  ENFORCEMENT: ['涉案{matter}相关裁判和决定尚未执行到位，建议跟进监督执行。', '执行程序并无违法，被执行人已履行完毕，拟终结审查。'],
  ILLEGAL_ACT: ['行政机关在{matter}工作中存在{issue}的问题，属于违法行使职权，拟提出检察建议督促纠正。', '经调查核实，行政机关在{matter}工作中的做法符合{law}规定，未发现违法情形，拟终结审查。'],
  SUBSTANTIVE_RESOLUTION: ['当事人围绕{matter}的诉求具有一定合理性，建议会同行政机关促成实质性化解。', '已组织行政机关与当事人座谈，双方就{matter}问题初步达成一致，拟跟进化解结果。'],
};

/** The prosecutor's note on a supervision case. */
export function prosecutorNotes(random: Random, kind: string, matter: Matter): string {
  return `承办检察官意见：${fill(random.pick(PROSECUTOR_NOTES[kind] ?? PROSECUTOR_NOTES.ILLEGAL_ACT!), random, { matter: matter.name, issue: random.pick(matter.issues), law: matter.law })}`;
}

/** Two of a matter's remedies, in their order in the list (a suggestion asks "一是…二是…"). */
function twoRemedies(random: Random, matter: Matter): [string, string | null] {
  const [a, b] = random.shuffle(matter.remedies);
  return [a as string, b ?? null];
}

/** What a suggestion is about: the matter, the failing it names and the remedies it asks for. */
export interface SuggestionPoint {
  matter: Matter;
  issue: string;
  remedies: [string, string | null];
}

export function suggestionPoint(random: Random, matter: Matter): SuggestionPoint {
  return { matter, issue: random.pick(matter.issues), remedies: twoRemedies(random, matter) };
}

const asks = ({ remedies: [a, b] }: SuggestionPoint) => (b ? `一是${a}；二是${b}` : a);

/** A judicial suggestion (司法建议) the court draws from a case it closed. */
export function judicialSuggestionText(random: Random, point: SuggestionPoint, caseNumber: string): string {
  const { matter, issue } = point;
  return random.pick([
    `本院在审理${caseNumber}一案中发现，你单位在${matter.name}工作中存在${issue}的问题。为促进依法行政、从源头减少同类争议，建议：${asks(point)}。请于两个月内将落实情况书面反馈本院。`,
    `${caseNumber}案件审理中反映出，你单位办理${matter.name}事项时${issue}，此类问题近年在本院受理的案件中多次出现。建议${asks(point)}，并将整改情况函告本院。`,
    `本院审理的${caseNumber}一案虽已审结，但暴露出${matter.name}工作${issue}的问题，存在引发同类诉讼的风险。依照${matter.law}的规定，建议：${asks(point)}。`,
  ]);
}

/** A procuratorial suggestion (检察建议) from a supervision case, worded for its kind. */
export function procuratorialSuggestionText(random: Random, point: SuggestionPoint, kind: string, supervisionNumber: string, caseNumber: string | null, agencyLost: boolean): string {
  const { matter, issue, remedies } = point;
  const source = caseNumber ? `${caseNumber}一案` : '相关案件';
  switch (kind) {
    case 'ENFORCEMENT':
      // Only a judgment the agency lost binds it to perform; otherwise the supervision finds the failing, as below.
      if (!agencyLost) break;
      return random.pick([
        `本院在办理${supervisionNumber}执行监督案件中发现，${source}的裁判生效后，你单位未在确定的期限内履行${matter.name}相关义务，且该案暴露出${issue}的问题。建议依法全面履行生效裁判，并${remedies[0]}。`,
        `${source}判决生效已逾期限，你单位仍未履行判决确定的义务。根据《中华人民共和国行政诉讼法》第九十六条的规定，建议你单位立即履行生效判决，并针对该案暴露出的${issue}问题，${remedies[0]}。`,
      ]);
    case 'SUBSTANTIVE_RESOLUTION':
      return random.pick([
        `本院在办理${supervisionNumber}案件中了解到，当事人围绕${matter.name}的诉求长期未获解决，存在矛盾激化风险，其起因在于你单位${issue}。建议你单位与当事人开展协商，在法律政策范围内解决其合理诉求，并${remedies[0]}。`,
        `${supervisionNumber}案件的当事人就${matter.name}问题多次信访、诉讼，争议至今未能化解。经本院调查，争议源于你单位${issue}。建议你单位会同属地街道约谈当事人，依法解决其合理诉求；同时${asks(point)}。`,
      ]);
    case 'ILLEGAL_ACT':
      return `本院在履行法律监督职责中发现，你单位在${matter.name}工作中存在${issue}的问题，不符合${matter.law}的规定。根据《人民检察院检察建议工作规定》，建议：${asks(point)}。`;
  }
  return random.pick([
    `本院在办理${supervisionNumber}行政诉讼监督案件中发现，你单位在${matter.name}工作中存在${issue}的问题。相关裁判虽已生效，但问题具有普遍性，建议：${asks(point)}。`,
    `本院审查${source}时发现，你单位在办理${matter.name}事项中存在${issue}的问题。为规范执法行为，建议${asks(point)}，并在两个月内书面回复。`,
  ]);
}

/** Why an agency does not (or not fully) adopt a suggestion, by how its matter is decided. */
const NOT_ADOPTED_BECAUSE: Record<MatterKind, string[]> = {
  PENALTY: ['涉案处罚决定认定事实清楚，已经行政复议维持', '建议所涉处罚的裁量幅度系依照市级裁量基准确定，本单位无权自行调整'],
  COMPENSATION: ['涉案补偿标准系依据经区政府批准并公告的补偿安置方案确定，调整标准须报区政府重新审批', '建议所涉项目的补偿已由生效裁判确认，重新核定缺乏依据'],
  DETERMINATION: ['该决定系依据市级主管部门统一的政策口径作出，本单位无权变更', '涉案决定已经人民法院生效判决维持'],
  BENEFIT: ['相关待遇标准由市级统一确定，区级无调整权限', '申请人家庭情况经再次入户核查确不符合条件'],
  PERMIT: ['建议提出的审批环节调整涉及市级事权，已报请市级主管部门研究', '涉案许可条件系法定条件，不能通过简化程序替代'],
  REGISTRATION: ['登记机关依法只负责对申请材料进行审查，建议所涉实质审查超出法定职责', '涉案登记已由生效判决确认合法'],
  ENFORCEMENT: ['涉案强制措施系依法实施，当事人已另案主张赔偿，待裁判生效后依法处理', '涉案强制措施已依法解除，建议所指情形已不存在'],
  DISCLOSURE: ['所申请信息确属内部管理信息，依法不予公开', '建议所涉信息已在门户网站主动公开，无需另行答复'],
  COMPLAINT: ['涉案投诉事项已移交有管辖权的部门处理', '投诉人反映的问题经调查不属实'],
};

/**
 * An agency's reply to a suggestion. An adopted one says what was done; one not adopted says why,
 * and what the agency will still look at.
 */
export function replyText(random: Random, point: SuggestionPoint, adopted: boolean, self: string, issuer: string): string {
  const { matter, issue, remedies } = point;
  if (adopted) {
    const opening = random.pick([`收到建议后，${self}召开专题会议研究部署，`, `${self}认真研究了${issuer}的建议，`, `针对建议指出的${issue}问题，${self}`, `${self}高度重视，由主要负责人牵头，`]);
    const done = remedies[1] && random.chance(0.6) ? `已${remedies[0]}，同时${remedies[1]}` : `已${remedies[0]}`;
    const result = random.pick([
      `截至目前，共复查${matter.name}案卷${random.int(12, 160)}件，发现并整改问题${random.int(2, 18)}个。`,
      `对建议所涉案件，已与当事人沟通并依法重新作出处理。`,
      `组织${matter.name}经办人员培训${random.int(1, 4)}场、${random.int(30, 180)}人次。`,
      `相关制度已印发执行，整改材料随函报送。`,
    ]);
    return `${opening}${done}。${result}`;
  }
  const because = random.pick(NOT_ADOPTED_BECAUSE[matter.kind]);
  return random.pick([
    `经研究，${because}，该建议暂不采纳。对建议中指出的${issue}问题，${self}将在今后工作中注意规范。`,
    `${self}对建议进行了认真研究。${because}，对纠正涉案行为的要求不予采纳；建议中关于${remedies[0]}的内容，将结合年度工作计划研究落实。`,
    `经与${issuer}沟通，${because}。${self}不采纳该建议，但将把${matter.name}工作纳入年度法制审核重点。`,
  ]);
}

/** What each institution said at a consultation (会商) on a major dispute. */
export function consultationOpinions(random: Random, matter: Matter, agencyName: string): Record<string, string> {
  return {
    GOVERNMENT: random.pick([`建议${agencyName}就${matter.name}问题与当事人充分沟通，依法协调化解。`, `联动办将督促${agencyName}在三十日内提出${matter.name}问题的化解方案。`]),
    COURT: random.pick([`从近年${matter.name}类案件看，${random.pick(matter.issues)}是行政机关败诉的主要原因，建议先行自查。`, '从司法审查角度看，该行为的程序问题应予补正，补正后可引导当事人撤诉。']),
    PROCURATORATE: random.pick([`建议关注当事人合法权益保障，推动${matter.name}争议实质性化解。`, `本院将跟进${matter.name}争议的化解情况，必要时依法开展监督。`]),
  };
}
