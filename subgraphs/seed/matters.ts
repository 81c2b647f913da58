// What each agency of the demo district decides, and so what it is sued, asked to reconsider and
// advised about: its matters (事项). Every text the generator writes about an act, a dispute, a
// judgment, a suggestion or a reply is drawn from the matter it concerns, so an education bureau is
// never in a pollution-penalty dispute and a reply speaks of the problem the suggestion named.
// The wording is the register's and the courts' usual one; `{…}` slots are filled by `fill`.
import type { Random } from './random.js';

/** The act categories of the data model (domain.md: AdministrativeAct.category). */
export type ActCategory = 'LAND_EXPROPRIATION' | 'HOUSING_DEMOLITION' | 'SOCIAL_SECURITY' | 'PUBLIC_SECURITY_PENALTY' | 'MARKET_REGULATION' | 'OTHER';

/**
 * How a matter is decided, which decides how an agency can lose over it: a penalty is revoked or
 * its fine changed, a compulsory demolition already carried out can only be confirmed illegal or
 * compensated, an unanswered application ends in an order to perform.
 */
export type MatterKind = 'PENALTY' | 'COMPENSATION' | 'DETERMINATION' | 'BENEFIT' | 'PERMIT' | 'REGISTRATION' | 'ENFORCEMENT' | 'DISCLOSURE' | 'COMPLAINT';

export interface Matter {
  /** The matter in a word, as a bulletin or a supervision item names it: 工伤认定. */
  name: string;
  category: ActCategory;
  kind: MatterKind;
  /** Its share of the agency's acts and disputes. */
  weight: number;
  /** Who an act on it is addressed to, and so who contests it; either when absent. */
  applicant?: 'PERSON' | 'ORGANIZATION';
  /** The statute the agency decides it under. */
  law: string;
  /** What a decision on it says (an act's summary); `{who}` is an organisation addressed by name (a person is 当事人). */
  acts: string[];
  /** What a dispute over it is registered as (a dispute's title); `{who}` is the party (王某, or a company's name). */
  disputes: string[];
  /** Failings a court, a procuratorate or the reconsideration office finds in such decisions. */
  issues: string[];
  /** What an agency can do about them: asked for by a suggestion, reported done by an adopted reply. */
  remedies: string[];
}

const disclosure = (subject: string, weight = 1): Matter => ({
  name: '政府信息公开',
  category: 'OTHER',
  kind: 'DISCLOSURE',
  weight,
  law: '《中华人民共和国政府信息公开条例》',
  acts: [`对申请人要求公开${subject}的申请作出答复`, `告知申请人所申请的${subject}不属于本机关负责公开的政府信息`, `对申请人申请公开的${subject}作出部分公开决定`],
  disputes: [`{who}申请公开${subject}`, `{who}不服${subject}信息公开答复`, `{who}要求公开${subject}被拒争议`],
  issues: ['答复超过法定期限', '以“过程性信息”为由不予公开而未说明依据', '未对可以区分处理的信息作区分处理'],
  remedies: ['建立依申请公开答复时限预警', '对不予公开、部分公开的答复实行法制审核', '组织信息公开工作人员专题培训'],
});

const ILLEGAL_BUILDING_DEMOLITION: Matter = {
  name: '违法建设拆除',
  category: 'HOUSING_DEMOLITION',
  kind: 'ENFORCEMENT',
  weight: 3,
  applicant: 'PERSON',
  law: '《中华人民共和国城乡规划法》',
  acts: ['责令当事人限期拆除在{area}搭建的违法建筑', '对{area}一处违法搭建的彩钢棚实施强制拆除', '认定{area}一处屋顶加层为违法建设并责令限期拆除', '对{area}居民庭院内的违法建设作出限期拆除决定'],
  disputes: ['{area}违法搭建拆除争议', '强制拆除造成屋内物品损失要求赔偿', '{area}居民不服违法建设认定', '{area}沿街门面扩建部分拆除争议'],
  issues: ['强制拆除前未依法催告和公告', '未对屋内物品登记造册并妥善保管', '违法建设认定未查明建设时间和审批情况'],
  remedies: ['严格落实强制拆除前的催告、公告程序', '规定强拆现场全程录像并对屋内物品登记造册', '对近一年的强制拆除案件开展案卷评查'],
};

export const MATTERS: Record<string, Matter[]> = {
  'AG-NRB': [
    {
      name: '集体土地征收补偿',
      category: 'LAND_EXPROPRIATION',
      kind: 'COMPENSATION',
      weight: 4,
      applicant: 'PERSON',
      law: '《中华人民共和国土地管理法》',
      acts: ['对{village}{n}组征收范围内的地上附着物和青苗作出补偿决定', '对{village}被征地农户作出安置补助费核定', '就{village}征收地块作出征地补偿安置决定'],
      disputes: ['{village}被征地农户对地上附着物补偿标准有异议', '{village}征收地块青苗补偿款发放争议', '{village}村民要求提高征地安置补助费', '{village}{n}组宅基地房屋征收补偿争议'],
      issues: ['补偿安置方案公告后未充分听取被征地农户意见', '地上附着物清点登记未经权利人签字确认', '补偿款未足额发放即要求交地'],
      remedies: ['对在办征地项目的补偿登记资料逐户复核', '修订征地补偿安置工作流程，增设听证告知环节', '会同所在街道建立补偿款发放台账并定期公示'],
    },
    {
      name: '责令交出土地',
      category: 'LAND_EXPROPRIATION',
      kind: 'ENFORCEMENT',
      weight: 2,
      applicant: 'PERSON',
      law: '《中华人民共和国土地管理法实施条例》',
      acts: ['责令{village}被征地农户限期交出土地', '对{village}征收地块作出责令交出土地决定'],
      disputes: ['{village}农户不服责令交出土地决定', '{village}征收地块交地期限争议'],
      issues: ['责令交出土地前未依法送达补偿安置决定', '限期交地的期限明显过短'],
      remedies: ['对责令交地类决定实行法制审核全覆盖', '规范送达程序，留置送达时全程录像'],
    },
    {
      name: '不动产登记',
      category: 'OTHER',
      kind: 'REGISTRATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《不动产登记暂行条例》',
      acts: ['对{area}一处房屋作出不予办理转移登记的决定', '为申请人办理{area}房屋首次登记', '对{village}一处宅基地使用权作出更正登记'],
      disputes: ['{who}不服{area}房屋不予转移登记决定', '{area}房屋登记信息错误要求更正', '{who}要求撤销{area}房屋抵押登记'],
      issues: ['登记时只作形式审查，未核实申请人身份', '不予登记决定未载明理由和救济途径'],
      remedies: ['完善登记申请人身份核验，启用人证比对', '统一不予登记告知书样式，写明理由与救济途径'],
    },
    {
      name: '违法用地查处',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 1,
      applicant: 'PERSON',
      law: '《中华人民共和国土地管理法》',
      acts: ['对当事人在{village}非法占用集体土地建房的行为责令退还土地并处罚款{fine}元', '对{village}一处未经批准占用耕地的行为责令限期拆除地上建筑物'],
      disputes: ['{who}不服{village}非法占地行政处罚', '{village}违法用地拆除范围争议'],
      issues: ['占地面积测量未通知当事人到场', '罚款数额的计算依据不清'],
      remedies: ['规定违法用地面积测量一律通知当事人到场并签字确认', '细化违法用地罚款裁量基准'],
    },
    disclosure('征地批复及补偿安置方案'),
  ],
  'AG-HCB': [
    {
      name: '国有土地上房屋征收补偿',
      category: 'HOUSING_DEMOLITION',
      kind: 'COMPENSATION',
      weight: 4,
      law: '《国有土地上房屋征收与补偿条例》',
      acts: ['对{area}征收范围内未签约房屋作出征收补偿决定', '对{area}被征收房屋作出补偿决定，确定货币补偿{amount}', '就{area}地块被征收人选择的产权调换作出补偿决定'],
      disputes: ['{area}被征收人不服房屋征收补偿决定', '{area}被征收房屋评估价格争议', '{area}地块产权调换房源安排争议', '{area}经营用房停产停业损失补偿争议'],
      issues: ['评估报告未依法送达被征收人，致其无法申请复核评估', '补偿决定作出前未就补偿方案充分协商', '经营用房的停产停业损失未予补偿'],
      remedies: ['对在办征收项目评估报告的送达情况逐户核查', '在补偿决定作出前增设协商记录和法制审核环节', '制定停产停业损失补偿认定细则'],
    },
    {
      name: '房屋征收决定',
      category: 'HOUSING_DEMOLITION',
      kind: 'DETERMINATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《国有土地上房屋征收与补偿条例》',
      acts: ['对{area}旧城改造项目作出房屋征收决定', '发布{area}地块房屋征收决定公告'],
      disputes: ['{area}居民要求撤销房屋征收决定', '{area}旧改项目征收范围争议'],
      issues: ['社会稳定风险评估流于形式', '征收补偿方案征求意见期限不足三十日'],
      remedies: ['严格落实征收补偿方案不少于三十日的征求意见期', '委托第三方开展社会稳定风险评估'],
    },
    {
      name: '住房保障资格审核',
      category: 'OTHER',
      kind: 'BENEFIT',
      weight: 1,
      applicant: 'PERSON',
      law: '《公共租赁住房管理办法》',
      acts: ['对申请人公共租赁住房保障资格作出审核不予通过的决定', '取消申请人住房保障资格并责令腾退公租房'],
      disputes: ['{who}不服取消公租房保障资格决定', '公共租赁住房保障资格审核争议'],
      issues: ['取消资格前未告知申请人陈述申辩', '家庭收入核查数据未经复核'],
      remedies: ['落实取消保障资格前书面告知、听取陈述申辩的程序', '与民政、税务部门建立收入核查数据复核机制'],
    },
    disclosure('房屋征收补偿方案及评估报告'),
  ],
  'AG-HRS': [
    {
      name: '工伤认定',
      category: 'SOCIAL_SECURITY',
      kind: 'DETERMINATION',
      weight: 4,
      law: '《工伤保险条例》',
      acts: ['对职工在上下班途中发生交通事故受伤作出认定工伤决定', '对职工在工作时间突发疾病死亡作出不予认定视同工伤决定', '对职工在工作场所受伤作出认定工伤决定', '对职工外出培训期间受伤作出不予认定工伤决定'],
      disputes: ['职工家属不服不予认定工伤决定', '用人单位不服认定工伤决定', '职工突发疾病是否视同工伤争议', '上下班途中交通事故工伤认定争议'],
      issues: ['调查核实不充分，仅凭用人单位陈述作出认定', '未调取考勤记录、监控录像等关键证据', '将“工作时间和工作岗位”理解得过于狭窄'],
      remedies: ['对近两年作出的不予认定工伤决定开展案卷评查', '制定工伤认定调查核实工作指引', '组织工伤认定经办人员业务培训'],
    },
    {
      name: '社会保险费补缴',
      category: 'SOCIAL_SECURITY',
      kind: 'DETERMINATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《中华人民共和国社会保险法》',
      acts: ['责令用人单位限期为职工补缴养老保险费', '对职工要求补缴社会保险费的投诉作出不予受理决定'],
      disputes: ['职工要求用人单位补缴养老保险费', '社会保险费补缴期间认定争议'],
      issues: ['超过追溯期限的补缴申请处理口径不一', '投诉事项未在法定期限内得到处理'],
      remedies: ['统一社会保险费补缴受理口径并向社会公布', '建立投诉举报办理时限预警'],
    },
    {
      name: '养老保险待遇核定',
      category: 'SOCIAL_SECURITY',
      kind: 'BENEFIT',
      weight: 2,
      applicant: 'PERSON',
      law: '《中华人民共和国社会保险法》',
      acts: ['核定申请人基本养老金待遇', '对申请人按特殊工种提前退休的申请作出不予批准决定'],
      disputes: ['{who}基本养老金待遇核定争议', '{who}特殊工种提前退休审批争议', '{who}视同缴费年限认定争议'],
      issues: ['视同缴费年限认定未调取原始档案', '待遇核定决定未告知计算依据'],
      remedies: ['对待遇核定决定附具计算明细', '会同档案部门建立档案调取协查机制'],
    },
    {
      name: '劳动保障监察',
      category: 'OTHER',
      kind: 'COMPLAINT',
      weight: 1,
      law: '《劳动保障监察条例》',
      acts: ['对用人单位拖欠劳动者工资的行为责令限期支付', '对用人单位未依法签订书面劳动合同的行为作出处理决定'],
      disputes: ['劳动者要求查处用人单位拖欠工资', '{who}不服劳动保障监察处理决定'],
      issues: ['劳动者的举报超期未处理', '责令改正决定未明确支付金额和期限'],
      remedies: ['对欠薪举报实行接诉即办并限期反馈', '规范劳动保障监察文书，明确支付金额和期限'],
    },
  ],
  'AG-PSB': [
    {
      name: '治安管理处罚',
      category: 'PUBLIC_SECURITY_PENALTY',
      kind: 'PENALTY',
      weight: 4,
      applicant: 'PERSON',
      law: '《中华人民共和国治安管理处罚法》',
      acts: ['对当事人在{area}殴打他人的行为处以行政拘留{days}日', '对当事人故意损毁他人财物的行为处以罚款{fine}元', '对当事人扰乱单位秩序的行为予以警告', '对当事人在{area}阻碍执行职务的行为处以行政拘留{days}日'],
      disputes: ['{who}不服殴打他人行政拘留决定', '{area}邻里纠纷治安处罚争议', '{who}不服扰乱单位秩序处罚决定', '{who}与邻居互殴案件处罚结果争议'],
      issues: ['未依法告知当事人陈述、申辩的权利', '未全面调查双方互殴情形即作出处罚', '询问笔录未经被询问人核对签字'],
      remedies: ['对治安案件办理实行全程音视频记录', '开展治安处罚案卷专项评查，逐案核查告知程序', '组织民警学习修订后的治安管理处罚法'],
    },
    {
      name: '道路交通违法处罚',
      category: 'PUBLIC_SECURITY_PENALTY',
      kind: 'PENALTY',
      weight: 2,
      applicant: 'PERSON',
      law: '《中华人民共和国道路交通安全法》',
      acts: ['对驾驶人在{road}饮酒后驾驶机动车的行为暂扣驾驶证并处罚款', '对机动车在{road}违法停车的行为处以罚款{fine}元'],
      disputes: ['{who}不服饮酒驾驶暂扣驾驶证决定', '{road}违法停车电子抓拍处罚争议'],
      issues: ['电子监控设备未经检定即用于执法', '未保障当事人申请听证的权利'],
      remedies: ['对辖区电子监控设备开展检定并向社会公示', '规范听证告知程序'],
    },
    {
      name: '户籍登记',
      category: 'OTHER',
      kind: 'REGISTRATION',
      weight: 1,
      applicant: 'PERSON',
      law: '《中华人民共和国户口登记条例》',
      acts: ['对申请人户口迁入申请作出不予办理的答复', '注销当事人重复登记的户口'],
      disputes: ['{who}户口迁入申请不予办理争议', '{who}不服注销重复户口'],
      issues: ['答复未说明不予办理的依据', '注销户口前未通知当事人'],
      remedies: ['对户籍业务答复文书统一写明依据和救济途径', '落实注销户口前书面通知当事人的程序'],
    },
  ],
  'AG-MRB': [
    {
      name: '食品安全行政处罚',
      category: 'MARKET_REGULATION',
      kind: 'PENALTY',
      weight: 4,
      law: '《中华人民共和国食品安全法》',
      acts: ['对经营者在{area}销售超过保质期食品的行为没收违法所得并处罚款{fine}元', '对餐饮服务单位采购使用无合法来源食材的行为作出行政处罚', '对食品经营者未按规定公示许可证件的行为予以警告'],
      disputes: ['{who}不服销售过期食品行政处罚', '{area}餐饮店食品安全处罚争议', '小微食品经营者罚款数额争议', '抽检不合格食品处罚争议'],
      issues: ['初次轻微违法行为未适用“首违不罚”', '抽样检验结果未依法告知当事人复检权利', '罚款未考虑违法情节，过罚不当'],
      remedies: ['制定食品安全领域轻微违法行为免罚清单', '在抽检不合格告知书中增设复检权利告知', '开展食品安全执法案卷评查'],
    },
    {
      name: '广告违法处罚',
      category: 'MARKET_REGULATION',
      kind: 'PENALTY',
      weight: 1,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国广告法》',
      acts: ['对{who}发布虚假宣传广告的行为责令停止发布并处罚款{fine}元', '对{who}在宣传页中使用绝对化用语的行为作出行政处罚'],
      disputes: ['{who}不服广告使用绝对化用语罚款决定', '{who}虚假广告行政处罚争议'],
      issues: ['罚款未考虑违法情节和危害后果，过罚不当', '违法所得的认定缺乏证据'],
      remedies: ['细化广告违法行为处罚裁量基准', '落实重大处罚决定集体讨论制度'],
    },
    {
      name: '市场主体登记',
      category: 'MARKET_REGULATION',
      kind: 'REGISTRATION',
      weight: 2,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国市场主体登记管理条例》',
      acts: ['为{who}办理法定代表人变更登记', '对{who}冒用他人身份证件办理的变更登记作出撤销决定', '将{who}列入经营异常名录'],
      disputes: ['{who}要求撤销冒名办理的股东变更登记', '{who}不服列入经营异常名录', '{who}法定代表人变更登记争议'],
      issues: ['登记时未核验申请人本人身份', '列入经营异常名录前未依法告知'],
      remedies: ['在登记窗口全面启用实名认证', '对冒名登记投诉建立快速核查撤销通道'],
    },
    {
      name: '投诉举报处理',
      category: 'OTHER',
      kind: 'COMPLAINT',
      weight: 1,
      applicant: 'PERSON',
      law: '《市场监督管理投诉举报处理暂行办法》',
      acts: ['对消费者投诉作出不予受理决定', '对举报人举报商品质量问题作出不予立案的答复'],
      disputes: ['消费者不服投诉不予受理', '举报人要求查处商品质量问题'],
      issues: ['举报答复超出法定期限', '不予立案告知未说明理由'],
      remedies: ['对投诉举报办理实行时限预警', '规范不予立案告知书的说理'],
    },
  ],
  'AG-EEB': [
    {
      name: '环境污染行政处罚',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 3,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国环境保护法》',
      acts: ['对{who}超标排放废水的行为责令改正并处罚款{fine}元', '对{who}建设项目未批先建的行为责令停止建设并处罚款', '对{who}在{area}的厂区无组织排放废气的行为作出行政处罚'],
      disputes: ['{who}不服超标排污行政处罚', '{who}未批先建罚款数额争议', '{who}不服废气排放处罚决定'],
      issues: ['采样监测程序不规范，未保存采样记录', '处罚决定未说明裁量理由'],
      remedies: ['规范现场采样流程，全程使用执法记录仪', '修订生态环境行政处罚裁量基准'],
    },
    {
      name: '查封扣押',
      category: 'OTHER',
      kind: 'ENFORCEMENT',
      weight: 1,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国环境保护法》',
      acts: ['对{who}造成污染物排放的设施设备实施查封', '对{who}违法排污的生产设备作出扣押决定'],
      disputes: ['{who}要求解除对生产设备的查封', '{who}查封排污设施期间损失争议'],
      issues: ['查封期限届满未及时作出处理决定', '查封清单未经当事人签字确认'],
      remedies: ['建立查封扣押期限台账并到期提醒', '规范查封扣押现场清点和签字确认'],
    },
    {
      name: '环境影响评价审批',
      category: 'OTHER',
      kind: 'PERMIT',
      weight: 1,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国环境影响评价法》',
      acts: ['对{who}建设项目环境影响报告表作出批复', '对{who}在{area}的建设项目环评文件作出不予批准决定'],
      disputes: ['{who}不服建设项目环评不予批准决定', '{who}{area}项目环评批复争议'],
      issues: ['公众参与调查对象选取不具代表性', '审批前未对周边环境敏感点进行核查'],
      remedies: ['对在审项目的公众参与材料开展复核', '建立环评审批现场踏勘制度'],
    },
    disclosure('企业排污许可及监测数据'),
  ],
  'AG-UMB': [
    ILLEGAL_BUILDING_DEMOLITION,
    {
      name: '市容管理处罚',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 1,
      applicant: 'PERSON',
      law: '《城市市容和环境卫生管理条例》',
      acts: ['对商户在{road}占道经营的行为处以罚款{fine}元', '对{road}一处擅自设置的户外广告牌责令限期拆除'],
      disputes: ['{road}占道经营罚款争议', '擅自设置户外广告牌处罚争议'],
      issues: ['暂扣物品未出具清单', '未对初次违法的流动摊贩先行教育劝导'],
      remedies: ['推行“首违不罚”和教育劝导先行', '规范暂扣物品清单和返还流程'],
    },
  ],
  'AG-TRB': [
    {
      name: '非法营运查处',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 3,
      applicant: 'PERSON',
      law: '《中华人民共和国道路运输条例》',
      acts: ['对驾驶人未取得经营许可从事网约车经营的行为处以罚款{fine}元', '对车辆在{road}非法从事出租汽车经营的行为作出行政处罚', '对货运车辆超限运输的行为作出行政处罚'],
      disputes: ['{who}不服网约车非法营运罚款', '{road}“黑车”查处争议', '{who}不服货车超限运输处罚'],
      issues: ['以诱导方式取证，证据合法性存疑', '乘客证言未经核实即作为定案依据'],
      remedies: ['明令禁止诱导取证，规范非法营运调查取证', '对非法营运处罚案件实行法制审核'],
    },
    {
      name: '道路运输许可',
      category: 'OTHER',
      kind: 'PERMIT',
      weight: 1,
      law: '《中华人民共和国道路运输条例》',
      acts: ['对申请人网约车驾驶员从业资格申请作出不予许可决定', '对申请人道路货物运输经营许可申请作出不予许可决定'],
      disputes: ['{who}网约车驾驶员从业资格不予许可争议', '{who}道路运输经营许可审批争议'],
      issues: ['不予许可决定未说明理由', '超过法定期限作出许可决定'],
      remedies: ['推行许可审批全程网办并设置超期预警', '统一不予许可决定书样式'],
    },
    {
      name: '暂扣车辆',
      category: 'OTHER',
      kind: 'ENFORCEMENT',
      weight: 1,
      applicant: 'PERSON',
      law: '《中华人民共和国行政强制法》',
      acts: ['对涉嫌非法营运的车辆实施暂扣', '对超限运输车辆实施扣押'],
      disputes: ['{who}要求返还被暂扣车辆', '{who}车辆扣押期间损失赔偿争议'],
      issues: ['扣押车辆超过法定期限', '暂扣期间车辆保管不善'],
      remedies: ['建立暂扣车辆期限台账', '规范停车场车辆保管与交接'],
    },
  ],
  'AG-HHC': [
    {
      name: '医疗卫生行政处罚',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 2,
      applicant: 'PERSON',
      law: '《医疗机构管理条例》',
      acts: ['对当事人开办的{area}诊所使用非卫生技术人员从事诊疗活动的行为作出行政处罚', '对当事人开办的诊所超出登记范围开展诊疗活动的行为处以罚款{fine}元', '对当事人经营的{area}公共浴室未取得卫生许可证的行为作出行政处罚'],
      disputes: ['{who}不服诊所超范围执业行政处罚', '{who}诊所使用非卫生技术人员处罚争议', '{who}公共浴室卫生许可处罚争议'],
      issues: ['违法事实的认定依赖单一证人证言', '处罚前未告知听证权利'],
      remedies: ['开展医疗卫生监督执法案卷评查', '对较大数额罚款案件严格落实听证告知'],
    },
    {
      name: '医疗投诉处理',
      category: 'OTHER',
      kind: 'COMPLAINT',
      weight: 2,
      applicant: 'PERSON',
      law: '《医疗纠纷预防和处理条例》',
      acts: ['对患者家属关于诊疗过错的投诉作出处理答复', '对患者投诉医院违规收费作出处理决定'],
      disputes: ['患者家属不服医疗投诉处理答复', '医院违规收费投诉处理争议'],
      issues: ['投诉处理未调阅病历即作出答复', '答复超过规定期限'],
      remedies: ['建立医疗投诉调查病历调阅制度', '将投诉办理时限纳入绩效考核'],
    },
    {
      name: '医师执业注册',
      category: 'OTHER',
      kind: 'PERMIT',
      weight: 1,
      applicant: 'PERSON',
      law: '《中华人民共和国医师法》',
      acts: ['对申请人医师执业注册申请作出不予注册决定', '注销医师执业证书'],
      disputes: ['{who}医师执业注册不予注册争议', '{who}不服注销医师执业证书'],
      issues: ['注销执业证书前未听取本人意见', '不予注册的理由与证据不符'],
      remedies: ['建立注销执业证书前书面告知、听取本人意见的程序', '规范执业注册审查标准'],
    },
  ],
  'AG-EDB': [
    {
      name: '义务教育入学',
      category: 'OTHER',
      kind: 'DETERMINATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《中华人民共和国义务教育法》',
      acts: ['对适龄儿童义务教育入学申请作出统筹安排', '对随迁子女入学资格作出审核不予通过的答复'],
      disputes: ['{who}为子女申请入学资格审核争议', '{area}学区划分及入学安排争议'],
      issues: ['入学资格审核的材料要求超出公布范围', '未告知家长复核途径'],
      remedies: ['公开入学资格审核材料清单，不另设条件', '设立入学资格复核窗口'],
    },
    {
      name: '学籍管理',
      category: 'OTHER',
      kind: 'REGISTRATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《中小学生学籍管理办法》',
      acts: ['对学生转学申请作出不予办理学籍转接的答复', '对学生学籍信息作出更正'],
      disputes: ['{who}为子女转学学籍转接争议', '{who}要求更正子女学籍信息'],
      issues: ['学籍转接答复未说明依据', '答复超过规定期限'],
      remedies: ['公布学籍转接办理指南和时限', '对学籍业务答复实行法制审核'],
    },
    {
      name: '民办学校办学许可',
      category: 'OTHER',
      kind: 'PERMIT',
      weight: 2,
      applicant: 'ORGANIZATION',
      law: '《中华人民共和国民办教育促进法》',
      acts: ['对{who}举办{school}的设立申请作出不予许可决定', '对{who}举办的{school}作出办学许可证不予延续决定'],
      disputes: ['{who}不服{school}办学许可不予延续', '{who}民办学校设立审批争议'],
      issues: ['不予许可前未组织专家评审', '审批超过法定期限'],
      remedies: ['对民办学校审批实行专家评审和集体决策', '推行审批事项全程网办并设置超期预警'],
    },
    {
      name: '校外培训监管',
      category: 'OTHER',
      kind: 'PENALTY',
      weight: 1,
      applicant: 'PERSON',
      law: '《校外培训行政处罚暂行办法》',
      acts: ['对当事人在{area}未经许可开展学科类培训的行为作出行政处罚', '对当事人举办的{school}超前超标培训的行为责令停止并处罚款{fine}元'],
      disputes: ['{who}不服无证培训处罚', '{who}学科类培训认定争议'],
      issues: ['未区分学科类与非学科类培训即认定违法', '罚款未考虑已退费情况'],
      remedies: ['制定学科类与非学科类培训鉴别指引', '对校外培训处罚实行法制审核'],
    },
  ],
  'AG-CAB': [
    {
      name: '最低生活保障',
      category: 'SOCIAL_SECURITY',
      kind: 'BENEFIT',
      weight: 3,
      applicant: 'PERSON',
      law: '《社会救助暂行办法》',
      acts: ['对申请人家庭最低生活保障申请作出不予批准决定', '停发申请人家庭最低生活保障金', '批准申请人家庭纳入最低生活保障'],
      disputes: ['{who}不服停发低保金决定', '{who}低保申请不予批准争议', '{who}家庭低保收入核定争议'],
      issues: ['家庭经济状况核对未入户调查', '停发低保金前未告知理由'],
      remedies: ['对低保审核实行入户调查和民主评议', '落实停保前书面告知、给予陈述申辩机会的程序'],
    },
    {
      name: '特困人员认定',
      category: 'SOCIAL_SECURITY',
      kind: 'BENEFIT',
      weight: 1,
      applicant: 'PERSON',
      law: '《社会救助暂行办法》',
      acts: ['对申请人特困人员救助供养申请作出不予认定决定', '认定申请人为特困供养人员'],
      disputes: ['{who}特困人员认定争议', '{who}特困供养金发放争议'],
      issues: ['“无劳动能力”的认定缺乏鉴定依据', '审批期限过长'],
      remedies: ['与卫生健康部门建立劳动能力评估衔接', '压缩特困人员审批时限'],
    },
    {
      name: '婚姻登记',
      category: 'OTHER',
      kind: 'REGISTRATION',
      weight: 1,
      applicant: 'PERSON',
      law: '《婚姻登记条例》',
      acts: ['为当事人办理结婚登记', '对冒用他人身份办理的结婚登记作出撤销决定'],
      disputes: ['被冒名结婚登记要求撤销', '婚姻登记程序争议'],
      issues: ['登记时未核验当事人本人身份', '冒名登记的投诉未及时处理'],
      remedies: ['在婚姻登记中全面启用人证比对', '建立冒名婚姻登记撤销快速通道'],
    },
  ],
  'AG-XLS': [
    ILLEGAL_BUILDING_DEMOLITION,
    {
      name: '棚户区改造安置补偿',
      category: 'HOUSING_DEMOLITION',
      kind: 'COMPENSATION',
      weight: 2,
      applicant: 'PERSON',
      law: '《国有土地上房屋征收与补偿条例》',
      acts: ['与{area}棚户区改造范围内的被搬迁人签订安置补偿协议', '对{area}被搬迁人的安置房源作出分配'],
      disputes: ['{area}棚改安置补偿协议履行争议', '被搬迁人要求按协议交付安置房', '{area}安置房分配争议'],
      issues: ['安置补偿协议约定的交房期限未履行', '安置房分配方案未公示'],
      remedies: ['对逾期未交付安置房的协议逐一制定履约计划', '将安置房分配方案和结果张榜公示'],
    },
    disclosure('棚户区改造项目审批文件'),
  ],
};

const VILLAGES = ['石桥村', '清溪村', '双塘村', '龙湾村', '柳塘村', '东庄村', '杨家圩村', '长岗村'];
const AREAS = ['新林社区', '梅园新村', '龙江小区', '文昌巷', '南苑片区', '北湖花园', '长乐街', '西街地块', '花园路片区', '秦淮苑'];
const ROADS = ['滨河路', '金陵路', '中山南路', '长虹路', '新林大道', '凤凰西街'];
const FIRMS = ['恒达', '华建', '新锐', '鼎盛', '瑞丰', '金桥', '宏远', '立信', '德润', '嘉和', '安泰', '中联'];

const SLOTS: Record<string, (random: Random) => string> = {
  village: (r) => r.pick(VILLAGES),
  area: (r) => r.pick(AREAS),
  road: (r) => r.pick(ROADS),
  school: (r) => `${r.pick(FIRMS)}${r.pick(['培训学校', '艺术培训中心', '幼儿园', '教育咨询中心'])}`,
  n: (r) => String(r.int(1, 9)),
  days: (r) => String(r.pick([3, 5, 7, 10, 12, 15])),
  fine: (r) => String(r.pick([500, 2000, 5000, 10000, 20000, 30000, 50000, 100000])),
  amount: (r) => `${r.int(35, 280)}万元`,
};

/** Fills a template's `{slot}`s: places and figures from `random`, the rest from `values`. */
export function fill(template: string, random: Random, values: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    const value = values[slot] ?? SLOTS[slot]?.(random);
    if (value === undefined) throw new Error(`no value for {${slot}} in "${template}"`);
    return value;
  });
}
