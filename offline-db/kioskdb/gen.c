/*
 * gen.c — synthetic publisher exports for benchmarks (see gen.h).
 *
 * DESIGN: every record is a pure function of (seed, stream, record number): its random
 * choices come from a small xorshift64* generator seeded from those three numbers, never from
 * rand() or from what was generated before. That is what lets the generator stream 100,000+
 * documents while holding one at a time: when document i needs to know about document j — the
 * later version that replaces it, the earlier document a 政策解读 explains — it recomputes j's
 * "core" (series, template, subject; a few dozen random draws) instead of looking it up.
 * Publication dates are a non-decreasing function of the record number, so "later" and
 * "earlier" are comparisons of numbers. The only running state is the 索引号 counter per
 * publisher and year, which depends only on the order of records and is therefore
 * reproducible too.
 *
 * Text is made from a few hundred phrase fragments: templates contain {X} slots that name a
 * fragment table (see gen_frag), and fragments may contain slots themselves. All fragments
 * are string literals in valid UTF-8 without <, > or &, so bodies need no escaping for HTML
 * and a body is never cut inside a character.
 *
 * Files are written in place; a failed run leaves what it wrote so far (the folder is scratch
 * space for a benchmark, and the log says which file and why).
 */
#include "kioskdb/gen.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define GEN_DAYS 5844L            /* 2010-01-01 .. 2025-12-31 */
#define GEN_DAY0_UNIX 14610L      /* 2010-01-01 in days since 1970-01-01 */
#define GEN_VBUF_SIZE (1u << 20)  /* stdio buffer per output file */
#define GEN_BODY_MAX (2u << 20)   /* FORMAT.md cap on a body */
#define GEN_LINE_MAX (256u << 10) /* one paragraph or table */
#define GEN_SHORT_MAX 4096u       /* titles and other short fields */

/* Independent random streams per record kind. */
enum { STREAM_CORE = 1, STREAM_LINK, STREAM_RENDER, STREAM_GUIDE };

/* ---- vocabularies ------------------------------------------------------------------------ */

struct gen_pub {
	const char *name; /* 发布机构 */
	const char *abbr; /* 文号 prefix */
};

static const struct gen_pub gen_pubs[] = {
    {"示例县人民政府", "示政"},
    {"示例县人民政府办公室", "示政办"},
    {"示例县发展和改革局", "示发改"},
    {"示例县教育局", "示教"},
    {"示例县科技和工业信息化局", "示科工"},
    {"示例县民政局", "示民"},
    {"示例县财政局", "示财"},
    {"示例县人力资源和社会保障局", "示人社"},
    {"示例县自然资源局", "示自然资"},
    {"示例县住房和城乡建设局", "示住建"},
    {"示例县交通运输局", "示交"},
    {"示例县水利局", "示水"},
    {"示例县农业农村局", "示农"},
    {"示例县商务局", "示商"},
    {"示例县文化和旅游局", "示文旅"},
    {"示例县卫生健康局", "示卫健"},
    {"示例县退役军人事务局", "示退役"},
    {"示例县应急管理局", "示应急"},
    {"示例县市场监督管理局", "示市监"},
    {"示例县医疗保障局", "示医保"},
    {"示例县行政审批服务局", "示审批"},
    {"国家税务总局示例县税务局", "示税"},
    {"示例市生态环境局示例分局", "示环"},
    {"示例县公安局", "示公"},
};
#define N_PUBS N_OF(gen_pubs)

/* 主题分类 with the county body that usually writes about it and its subjects (事项). */
struct gen_topic {
	const char *name;
	int dept;
	const char *phrase[8]; /* NULL-terminated when shorter */
};

static const struct gen_topic gen_topics[] = {
    {"住房建设",
     9,
     {"老旧小区改造", "保障性租赁住房", "住房公积金管理", "城镇棚户区改造", "物业服务管理",
      "农村危房改造", "建筑市场监管", "商品房预售资金监管"}},
    {"减税降费",
     21,
     {"小微企业税费减免", "增值税留抵退税", "涉企收费清理规范", "“六税两费”减征",
      "研发费用加计扣除", "社会保险费阶段性减免"}},
    {"创新创业",
     4,
     {"大众创业万众创新", "科技型中小企业培育", "众创空间建设", "科技成果转化", "返乡入乡创业",
      "高新技术企业培育"}},
    {"营商环境",
     2,
     {"优化营商环境", "政务服务“一网通办”", "工程建设项目审批制度改革", "社会信用体系建设",
      "“证照分离”改革", "涉企行政执法检查"}},
    {"社会保障",
     7,
     {"城乡居民基本养老保险", "失业保险稳岗返还", "工伤保险", "被征地农民社会保障",
      "企业职工基本养老保险"}},
    {"就业创业",
     7,
     {"高校毕业生就业", "农村劳动力转移就业", "公益性岗位开发管理", "职业技能提升行动",
      "创业担保贷款"}},
    {"教育",
     3,
     {"学前教育普惠发展", "义务教育优质均衡发展", "中小学校课后服务", "家庭经济困难学生资助",
      "校园安全管理", "教师队伍建设"}},
    {"医疗卫生",
     15,
     {"紧密型县域医共体建设", "基本公共卫生服务", "家庭医生签约服务", "传染病防控",
      "乡村医生队伍建设", "爱国卫生运动"}},
    {"医疗保障",
     19,
     {"城乡居民基本医疗保险", "大病保险", "医疗救助", "门诊慢特病待遇", "医保基金监管"}},
    {"农业农村",
     12,
     {"高标准农田建设", "粮食生产", "农村人居环境整治", "家庭农场培育", "农产品质量安全",
      "动物防疫", "农村集体产权制度改革"}},
    {"乡村振兴",
     12,
     {"巩固拓展脱贫攻坚成果", "和美乡村建设", "乡村产业发展", "防止返贫动态监测", "驻村帮扶"}},
    {"生态环境",
     22,
     {"大气污染防治", "水污染防治", "土壤污染防治", "河长制湖长制", "秸秆禁烧和综合利用",
      "生态环境保护督察整改"}},
    {"交通运输",
     10,
     {"农村公路建设养护", "城乡客运一体化", "道路运输安全管理", "城市公共交通发展",
      "治理车辆超限超载"}},
    {"文化旅游",
     14,
     {"全域旅游发展", "公共文化服务体系建设", "文物保护利用", "非物质文化遗产保护", "全民健身"}},
    {"安全生产",
     17,
     {"安全生产专项整治", "防汛抗旱", "森林防灭火", "自然灾害救助", "危险化学品安全管理",
      "应急预案管理"}},
    {"市场监管",
     18,
     {"食品安全", "药品安全", "特种设备安全", "知识产权保护", "价格监督检查", "产品质量监督抽查"}},
    {"民政",
     5,
     {"最低生活保障", "特困人员救助供养", "养老服务体系建设", "殡葬管理", "未成年人保护",
      "残疾人两项补贴"}},
    {"自然资源", 8, {"国土空间规划", "耕地保护", "不动产登记", "土地征收", "矿产资源管理"}},
    {"财政金融",
     6,
     {"预算绩效管理", "政府采购", "财政专项资金管理", "国有资产管理", "政府债务管理", "普惠金融"}},
    {"商贸流通",
     13,
     {"促进消费", "电子商务进农村", "外贸稳增长", "县域商业体系建设", "农贸市场提升改造"}},
    {"水利",
     11,
     {"农村饮水安全", "水土保持", "小型水库安全运行管理", "河道采砂管理", "农田水利建设"}},
    {"退役军人",
     16,
     {"退役军人就业创业", "优抚对象抚恤补助", "双拥共建", "退役军人服务保障体系建设"}},
};
#define N_TOPICS N_OF(gen_topics)

/* Names of documents published under a notice (关于印发《…》的通知) or on their own. */
struct gen_docname {
	const char *name;
	const char *genre; /* 体裁 when the document stands on its own */
	const char *kind;  /* how the text calls itself: 本方案, 本办法 … */
};

static const struct gen_docname gen_docnames[] = {
    {"实施方案", "方案", "方案"}, {"工作方案", "方案", "方案"},
    {"管理办法", "办法", "办法"}, {"暂行办法", "办法", "办法"},
    {"实施细则", "规定", "细则"}, {"若干措施", "其他", "措施"},
    {"若干规定", "规定", "规定"}, {"三年行动计划", "方案", "计划"},
    {"考核办法", "办法", "办法"}, {"专项资金管理办法", "办法", "办法"},
    {"奖补办法", "办法", "办法"}, {"应急预案", "其他", "预案"},
};
#define N_DOCNAMES N_OF(gen_docnames)

static const char *const gen_tverbs[] = {"进一步加强", "加快推进", "全面推进", "做好",
                                         "深化",       "促进",     "规范",     "支持",
                                         "完善",       "推动",     "加强",     "全面落实"};
#define N_TVERBS N_OF(gen_tverbs)

static const char *const gen_towns[] = {"城关镇", "东关街道", "河口镇",   "青山乡", "柳林镇",
                                        "石桥镇", "白云乡",   "新华街道", "杨庄镇", "北山乡"};
#define N_TOWNS N_OF(gen_towns)

static const char *const gen_adverbs[] = {"切实", "进一步", "全面", "持续", "扎实", "大力", "积极",
                                          "稳步", "有序",   "着力", "不断", "认真", "统筹", "加快",
                                          "深入", "严格",   "依法", "主动", "及时", "全力"};

static const char *const gen_verbs[] = {
    "加强", "推进", "完善", "健全", "落实", "强化", "优化", "规范", "提升", "深化", "推动", "建立",
    "加大", "鼓励", "支持", "引导", "保障", "创新", "夯实", "拓展", "压实", "细化", "畅通", "改进"};

static const char *const gen_objects[] = {
    "工作机制",   "监督管理",     "政策支持力度", "公共服务体系", "资金保障",     "部门协同联动",
    "信息共享",   "考核评价体系", "宣传引导",     "风险防控",     "基层治理能力", "公共服务水平",
    "数字化转型", "要素保障",     "组织领导",     "队伍建设",     "责任落实",     "制度建设",
    "日常监管",   "动态管理",     "服务质量",     "审批效率",     "源头治理",     "长效机制",
    "协调配合",   "示范引领",     "绩效评价",     "政策宣传解读", "信用监管",     "应急处置能力",
    "问题整改",   "统计监测",     "档案管理",     "培训指导",     "跟踪问效",
};

static const char *const gen_units[] = {
    "各乡镇人民政府", "县直各有关单位", "各责任单位",       "各级各部门",     "县发展改革局",
    "县财政局",       "县人力社保局",   "县住房城乡建设局", "县市场监管局",   "县农业农村局",
    "县教育局",       "县卫生健康局",   "县民政局",         "县应急管理局",   "县自然资源局",
    "各村（社区）",   "各牵头单位",     "县政务服务中心",   "各行业主管部门", "县直各部门",
};

static const char *const gen_purposes[] = {
    "确保各项任务落到实处",
    "不断增强人民群众的获得感、幸福感、安全感",
    "推动全县经济社会高质量发展",
    "为全县经济社会发展提供有力保障",
    "切实维护群众合法权益",
    "营造良好的发展环境",
    "提高财政资金使用效益",
    "防范化解重大风险",
    "推动各项政策措施落地见效",
    "打通服务群众“最后一公里”",
    "激发市场主体活力",
    "促进社会公平正义",
    "提升群众办事便利度",
    "巩固和扩大工作成果",
    "形成工作合力",
    "加快建设美丽示例县",
};

static const char *const gen_laws[] = {
    "《中华人民共和国政府信息公开条例》",
    "《优化营商环境条例》",
    "《中华人民共和国行政许可法》",
    "《中华人民共和国预算法》",
    "《社会救助暂行办法》",
    "《中华人民共和国安全生产法》",
    "《中华人民共和国食品安全法》",
    "《中华人民共和国土地管理法》",
    "《中华人民共和国就业促进法》",
    "《中华人民共和国社会保险法》",
    "《中华人民共和国教育法》",
    "《中华人民共和国基本医疗卫生与健康促进法》",
    "《中华人民共和国乡村振兴促进法》",
    "《中华人民共和国环境保护法》",
    "《中华人民共和国城乡规划法》",
    "《中华人民共和国农业法》",
    "《中华人民共和国税收征收管理法》",
    "《中华人民共和国民法典》",
    "《住房公积金管理条例》",
    "《国务院办公厅关于进一步优化营商环境更好服务市场主体的实施意见》",
    "《示例省人民政府关于进一步加强行政规范性文件管理的通知》",
    "《中华人民共和国突发事件应对法》",
};

static const char *const gen_deadlines[] = {"到{J}年底",    "{J}年6月底前", "每季度末",
                                            "每年12月底前", "在规定时限内", "自本{Q}印发之日起",
                                            "到“十四五”末", "从{J}年起",    "即日起"};

static const char *const gen_dues[] = {"每季度末", "每年12月20日前", "{J}年6月30日前", "每月5日前",
                                       "每年1月底前"};

static const char *const gen_connectors[] = {
    "", "", "", "", "同时，", "此外，", "在此基础上，", "为此，", "与此同时，", "另外，"};

static const char *const gen_beneficiaries[] = {
    "小微企业", "个体工商户",       "困难群众",         "高校毕业生",       "新型农业经营主体",
    "退役军人", "农村低收入人口",   "科技型中小企业",   "返乡入乡创业人员", "60周岁以上老年人",
    "残疾人",   "家庭经济困难学生", "新就业形态劳动者", "规模以上工业企业", "首次创业人员",
};

static const char *const gen_money[] = {
    "给予最高不超过{N}万元的一次性奖励",
    "按照实际投资额的{K}%给予补助",
    "每人每月发放补贴{N}0元",
    "给予{k}个月的社会保险补贴",
    "按规定享受减免政策",
    "给予最长{k}年的贷款贴息支持",
    "一次性给予{N}000元奖补",
};

static const char *const gen_mechanisms[] = {
    "首问负责制",   "一次性告知制", "限时办结制",   "责任追究制度", "联席会议制度",
    "定期通报制度", "容缺受理机制", "督查督办机制", "信息报送制度", "评估退出机制"};

static const char *const gen_risks[] = {"形式主义、官僚主义", "资金挤占挪用",       "重大安全事故",
                                        "数据造假",           "弄虚作假、骗取补贴", "推诿扯皮",
                                        "规模性返贫"};

static const char *const gen_results[] = {
    "取得明显成效", "覆盖率达到{K}%以上",         "基本实现全覆盖",       "群众满意度明显提升",
    "实现稳中有进", "形成可复制可推广的经验做法", "各项指标位居全市前列", "体制机制更加完善"};

static const char *const gen_reports[] = {"工作进展情况", "年度工作总结", "相关统计报表",
                                          "自查报告",     "典型经验做法", "存在问题及整改情况",
                                          "资金使用情况"};

static const char *const gen_surnames[] = {"王", "李", "张", "刘", "陈",
                                           "杨", "赵", "黄", "周", "吴"};
static const char *const gen_given[] = {"伟", "芳", "娜", "敏", "静",   "磊",   "强",   "军",
                                        "洋", "勇", "艳", "杰", "建国", "晓明", "丽华", "志强"};

static const char *const gen_sentences[] = {
    "{C}{S}要{A}{V}{O}，{P}。",
    "{S}要把{T}摆在突出位置，{A}{V}{O}，{V}{O}。",
    "{D}，全县{T}工作{R}。",
    "对符合条件的{B}，{M}。",
    "严格落实{Z}，{A}{V}{O}，坚决防止{X}等问题发生。",
    "{S}负责{T}的统筹协调和监督检查，{S}按照职责分工做好相关工作。",
    "{S}要于{E}将{W}报送{S}。",
    "{C}{A}{V}{T}工作，{V}{O}，{P}。",
    "坚持问题导向和目标导向，{A}{V}{O}和{O}，{P}。",
    "鼓励{B}积极参与{T}，{S}要在政策、资金、用地等方面给予支持。",
    "建立健全{T}{Z}，{A}{V}{O}，确保{R}。",
    "各地各部门要{A}提高政治站位，把{T}作为重要工作来抓，{A}{V}{O}。",
    "{Y}年县财政安排{T}专项资金{N}00万元，重点用于{V}{O}和{V}{O}。",
    "{S}要加强对{T}"
    "的监督检查，对工作不力、进展缓慢的，予以通报批评；情节严重的，依法依规追究相关人员责任。",
    "充分运用报纸、电视、网络、新媒体等渠道，{A}开展{T}政策宣传解读，{P}。",
    "对{B}实行{Z}，{A}{V}{O}。",
    "全县共有{N}个乡镇（街道）参与{T}试点，累计惠及群众{N}.{N}万人次。",
    "{G}要结合实际，{A}{V}{O}，探索形成{T}的有效模式。",
    "本{Q}适用于本县行政区域内的{T}工作。",
    "申请{T}相关支持的，应当向{S}提交申请材料，{S}自受理之日起{N}个工作日内作出决定。",
    "{A}{V}{T}数据统计和分析，{E}形成{W}，为科学决策提供依据。",
    "{C}要坚持以人民为中心的发展思想，{A}{V}{O}，{P}。",
    "对{T}中发现的问题，{S}要建立问题清单、责任清单和整改清单，{A}{V}{O}。",
    "{Y}年，全县{T}完成投资{N}.{N}亿元，同比增长{N}.{N}%。",
    "充分发挥{S}的牵头作用，{A}{V}{O}，形成上下联动、协同推进的工作格局。",
    "{D}，{V}{O}，{T}{R}。",
    "享受{T}相关政策的{B}，应当如实提供相关材料；弄虚作假、骗取资金的，由{S}"
    "依法追回，并依法依规追究责任。",
    "{T}所需经费纳入县级财政预算，{S}要{A}加强资金监管，{P}。",
    "{S}要明确专人负责，{A}{V}{O}，及时协调解决工作中遇到的困难和问题。",
    "{C}推行“互联网+{T}”模式，{A}{V}{O}，{P}。",
    "{A}{V}{O}，{V}{O}，{V}{O}，{P}。",
};

static const char *const gen_headings[] = {"{V}{O}",      "{A}{V}{O}",           "{V}{T}{O}",
                                           "{V}{O}和{O}", "加大对{B}的支持力度", "{A}做好{T}工作"};

static const char *const gen_h1_first[] = {"总体要求", "指导思想", "工作目标", "基本原则",
                                           "适用范围"};
static const char *const gen_h1_middle[] = {"主要任务", "重点工作", "支持政策",
                                            "申报条件", "申报程序", "资金管理",
                                            "职责分工", "实施步骤", "工作措施"};
static const char *const gen_h1_last[] = {"保障措施", "组织实施", "监督检查", "工作要求"};
static const char *const gen_h1_interp[] = {"起草背景", "起草依据", "主要内容",
                                            "适用范围", "政策亮点", "实施时间"};
static const char *const gen_h1_report[] = {"主要工作及成效", "存在的问题", "下一步工作打算"};
static const char *const gen_h1_guide[] = {"主动公开", "依申请公开", "收费标准",
                                           "政府信息公开工作机构", "监督和救济"};

static const char *const gen_questions[] = {
    "问：《{I}》出台的背景是什么？",     "问：《{I}》的主要内容有哪些？",
    "问：哪些{B}可以享受相关支持政策？", "问：如何申请{T}相关补助？",
    "问：{T}工作的目标任务是什么？",     "问：政策从什么时候开始实施？",
    "问：{S}在{T}中承担哪些职责？",      "问：遇到问题可以向哪里咨询？",
};

static const char *const gen_addressees[] = {
    "各乡镇人民政府、街道办事处，县政府各部门、各直属机构：",
    "各乡镇（街道），县直各单位：",
    "各有关单位：",
    "各乡镇人民政府，县直有关部门：",
};

static const char *const gen_stat_labels[] = {"投入资金（万元）", "受益人数（人）",
                                              "完成项目（个）",   "办理件数（件）",
                                              "培训人次（人次）", "新增就业（人）"};

static const char *const gen_zh_digits[] = {"",   "一", "二", "三", "四",
                                            "五", "六", "七", "八", "九"};

/* 办事一本通: groups of each book, the body that handles them and typical items. */
struct gen_group {
	const char *name;
	int dept;
	const char *items[8]; /* NULL-terminated when shorter */
};

static const struct gen_group gen_groups_huimin[] = {
    {"社会保障",
     7,
     {"城乡居民养老保险参保登记", "养老保险待遇申领", "失业保险金申领", "工伤认定申请",
      "社会保障卡补领", "养老保险关系转移接续", "灵活就业人员参保登记"}},
    {"医疗保障",
     19,
     {"城乡居民医保参保登记", "异地就医备案", "门诊慢特病待遇认定", "医疗费用手工报销",
      "生育津贴申领", "医保关系转移接续"}},
    {"户籍办理",
     23,
     {"出生登记", "户口迁移", "居民身份证申领", "居民身份证补领", "户口簿补领", "死亡注销户口"}},
    {"婚姻登记", 5, {"内地居民结婚登记", "内地居民离婚登记", "补领结婚证", "婚姻登记档案查询"}},
    {"教育服务",
     3,
     {"义务教育阶段入学报名", "家庭经济困难学生资助申请", "教师资格认定", "学生转学"}},
    {"住房保障",
     9,
     {"公共租赁住房申请", "住房公积金提取", "住房公积金贷款", "农村危房改造申请",
      "保障性租赁住房认定"}},
    {"社会救助",
     5,
     {"最低生活保障申请", "特困人员供养申请", "临时救助申请", "高龄津贴申领",
      "残疾人两项补贴申请"}},
    {"养老服务", 5, {"居家养老服务补贴申请", "养老机构备案", "经济困难老年人护理补贴申请"}},
    {"就业创业",
     7,
     {"就业登记", "失业登记", "创业担保贷款申请", "职业技能培训补贴申领", "一次性创业补贴申领",
      "灵活就业社会保险补贴申领"}},
    {"不动产登记",
     8,
     {"国有建设用地使用权及房屋所有权首次登记", "不动产转移登记", "不动产抵押登记",
      "不动产登记资料查询", "宅基地使用权及房屋所有权登记"}},
    {"卫生健康",
     15,
     {"出生医学证明办理", "生育登记服务", "医师执业注册", "农村部分计划生育家庭奖励扶助"}},
    {"退役军人服务",
     16,
     {"退役军人优待证申领", "伤残抚恤关系接转", "退役士兵自主就业一次性经济补助"}},
    {"交通出行",
     10,
     {"道路运输从业资格证补证", "出租汽车驾驶员从业资格注册", "道路旅客运输经营许可"}},
};

static const struct gen_group gen_groups_huiqi[] = {
    {"企业开办",
     18,
     {"企业设立登记", "企业名称自主申报", "企业变更登记", "企业注销登记", "个体工商户登记",
      "印章刻制备案"}},
    {"税务办理",
     21,
     {"新办纳税人套餐", "增值税发票领用", "增值税留抵退税申请", "小规模纳税人减免税申报",
      "跨区域涉税事项报告", "税务注销"}},
    {"工程建设",
     9,
     {"建设工程规划许可", "建筑工程施工许可", "建设工程竣工验收备案", "建设用地规划许可",
      "商品房预售许可"}},
    {"市场准入",
     18,
     {"食品经营许可", "药品零售企业许可", "特种设备使用登记", "工业产品生产许可", "小餐饮登记"}},
    {"知识产权", 18, {"商标质押登记", "专利资助申请", "知识产权质押融资贴息申请"}},
    {"人才服务",
     7,
     {"高层次人才认定", "人才公寓申请", "职称评审申报", "就业见习补贴申领",
      "吸纳就业社保补贴申领"}},
    {"金融服务", 6, {"中小企业应急转贷资金申请", "政策性融资担保申请", "上市挂牌奖励申报"}},
    {"涉企补贴",
     4,
     {"科技型中小企业评价", "高新技术企业认定奖励", "技术改造项目补助申报",
      "企业研发费用补助申请"}},
    {"安全生产",
     17,
     {"危险化学品经营许可", "烟花爆竹经营（零售）许可", "生产安全事故应急预案备案"}},
    {"环保审批", 22, {"建设项目环境影响评价审批", "排污许可证申领", "危险废物转移审批"}},
    {"商务服务",
     13,
     {"对外贸易经营者备案", "单用途商业预付卡备案", "报废机动车回收拆解企业资格认定"}},
    {"农业经营",
     12,
     {"农药经营许可", "兽药经营许可", "农作物种子生产经营许可", "家庭农场名录登记",
      "动物防疫条件合格证核发"}},
};

static const char *const gen_channels[] = {"窗口办理",     "网上办理",  "乡镇便民服务中心办理",
                                           "自助终端办理", "邮寄办理",  "跨省通办",
                                           "容缺受理",     "告知承诺制"};

static const char *const gen_materials[] = {
    "申请人有效身份证件",
    "户口簿",
    "营业执照",
    "法定代表人身份证明",
    "授权委托书及受托人身份证件",
    "不动产权属证明",
    "近期免冠一寸照片",
    "银行账户信息",
    "相关证明材料",
    "劳动合同",
    "医疗机构出具的诊断证明",
    "家庭收入情况说明",
    "经营场所使用证明",
    "项目立项批复文件",
    "安全管理制度文本",
    "专业技术人员资格证明",
};

static const char *const gen_conditions[] = {
    "申请人具有本县户籍或在本县连续居住满{N}个月",
    "申请材料齐全、符合法定形式",
    "符合国家和省、市相关政策规定",
    "依法设立并在本县登记注册",
    "近{k}年内无严重违法失信记录",
    "具有与经营活动相适应的场所和设施",
    "家庭人均收入低于本县城乡最低生活保障标准",
    "已按规定缴纳社会保险费",
    "配备专职管理人员和相应的专业技术人员",
    "申请事项属于本部门法定职责范围",
};

static const char *const gen_apply_channels[] = {"示例县政务服务中心窗口", "示例省政务服务网",
                                                 "“示例县办事通”App", "乡镇（街道）便民服务中心"};

/* ---- PRNG --------------------------------------------------------------------------------- */

struct gen_rng {
	uint64_t s;
};

/* splitmix64 finaliser: spreads seed, stream and record number over all 64 bits. */
static uint64_t gen_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* Seed r for one record of one stream; xorshift needs a non-zero state. */
static void rng_init(struct gen_rng *r, unsigned seed, unsigned stream, uint64_t rec)
{
	uint64_t s = gen_mix(gen_mix(((uint64_t)seed << 8) ^ stream) ^ rec);
	r->s = s ? s : 1;
}

/* xorshift64*: the next 64 random bits. */
static uint64_t rng_next(struct gen_rng *r)
{
	uint64_t x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* A number in [0, n) (n > 0), by multiply-shift on the top 32 bits. */
static unsigned rng_below(struct gen_rng *r, unsigned long n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)(uint32_t)n) >> 32);
}

/* 1 with probability pct percent. */
static int rng_pct(struct gen_rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

#define PICK(r, a) ((a)[rng_below((r), N_OF(a))])

/* ---- dates -------------------------------------------------------------------------------- */

struct gen_date {
	int y, m, d;
};

/* Day number (0 = 2010-01-01) to a civil date (after H. Hinnant's days_from_civil inverse). */
static struct gen_date gen_date_of(long day)
{
	struct gen_date dt;
	long z = day + GEN_DAY0_UNIX + 719468;
	long era = z / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	dt.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt.y = (int)(yoe + era * 400 + (dt.m <= 2));
	return dt;
}

/* "YYYY-MM-DD" into out (11 bytes). */
static void gen_iso(char out[16], long day)
{
	struct gen_date dt = gen_date_of(day);
	snprintf(out, 16, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
}

/*
 * Publication day of document i of n: non-decreasing in i, spread over 2010–2025 with more
 * documents in later years (day = D·(t + 0.4·t·(1−t)), t = i/n, in one integer division so
 * it never steps back). n <= KK_GEN_MAX_DOCUMENTS keeps the products inside 64 bits.
 */
static long gen_day(long i, long n)
{
	uint64_t ui = (uint64_t)i, un = (uint64_t)n, num, den;

	if (n <= 1)
		return GEN_DAYS - 1;
	num = (uint64_t)GEN_DAYS * ui * 5 * un + (uint64_t)GEN_DAYS * 2 * ui * (un - ui);
	den = 5 * un * un;
	return (long)(num / den);
}

/* The first document published on or after day (n when there is none). */
static long gen_first_on(long day, long n)
{
	long lo = 0, hi = n;
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (gen_day(mid, n) >= day)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ---- generator state ---------------------------------------------------------------------- */

enum { SER_GENERAL, SER_REGULATION, SER_INTERP, SER_GUIDE, SER_ANNUAL, SER_GAZETTE };
static const char *const gen_series_names[] = {
    "其他文件",         "行政规范性文件",           "政策解读",
    "政府信息公开指南", "政府信息公开工作年度报告", "政府公报"};

enum {
	T_PRINT,      /* 关于印发《…》的通知 */
	T_STANDALONE, /* 示例县…管理办法 */
	T_OPINION,
	T_NOTICE,
	T_DECISION,
	T_ANNOUNCE,
	T_CIRCULAR,
	T_REPORT,
	T_REPLY,
	T_LETTER,
	T_PLAN,
	T_ANNUAL,
	T_GUIDE,
	T_GAZETTE,
	T_INTERP
};

enum { V_VALID, V_EXPIRED, V_REPEALED, V_REVISED };
static const char *const gen_validity_names[] = {"有效", "失效", "废止", "已修订"};

enum { FORM_TEXT, FORM_QA, FORM_CHART };
static const char *const gen_form_names[] = {"文字解读", "简明问答", "图表图解"};

/* What a document is, computed from its own stream alone (see gen_core). */
struct gen_core {
	int series, tmpl, validity;
	int pub, topic, topic2, phrase, verb, docname, town; /* identity: what the title says */
	long repl; /* number of the document that replaces this one, or -1 */
};

struct gen_out {
	FILE *f;
	char *vbuf;
	char *path;
};

struct gen {
	unsigned seed;
	long ndocs;
	int err; /* first allocation error while building text (sticky) */
	struct kk_buf title, inner, body, line, scratch;
	size_t body_chars; /* code points in body */
	int html;          /* current body is body_html */
	int html_h3;       /* body_html headings as <h3> rather than <p><strong> */
	/* context of the current record, read by gen_frag */
	const struct gen_core *id;
	int year;
	const char *kind;
	/* 索引号 sequence per publisher and year */
	long idx_seq[N_PUBS][16];
	/* 文号 sequence per publisher, kind (发 函 复 规 -) and year */
	long no_seq[N_PUBS][5][16];
	/* progress */
	long done, total;
	int next_tenth;
};

/* ---- text building ------------------------------------------------------------------------ */

/* Append n bytes to b; the first failure is kept in g->err and later appends do nothing. */
static void gen_put(struct gen *g, struct kk_buf *b, const char *s, size_t n)
{
	int rc;
	if (g->err)
		return;
	rc = kk_buf_add(b, s, n);
	if (rc)
		g->err = rc;
}

/* Append a NUL-terminated string to b. */
static void gen_puts(struct gen *g, struct kk_buf *b, const char *s)
{
	gen_put(g, b, s, strlen(s));
}

/* Append formatted text to b (short pieces only: numbers, dates). */
__attribute__((format(printf, 3, 4))) static void gen_putf(struct gen *g, struct kk_buf *b,
                                                           const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		if (!g->err)
			g->err = KK_EINVAL;
		return;
	}
	gen_put(g, b, tmp, (size_t)n);
}

/* The text of b, "" while nothing was added. */
static const char *gen_str(const struct kk_buf *b)
{
	return b->data ? b->data : "";
}

/* Append a Chinese numeral 1..99 (一, 十二, 二十三); other numbers in digits. */
static void gen_put_zh(struct gen *g, struct kk_buf *b, int n)
{
	if (n < 1 || n > 99) {
		gen_putf(g, b, "%d", n);
		return;
	}
	if (n >= 20)
		gen_puts(g, b, gen_zh_digits[(n / 10) % 10]);
	if (n >= 10)
		gen_puts(g, b, "十");
	gen_puts(g, b, gen_zh_digits[n % 10]);
}

/* Number of subjects of a topic. */
static unsigned gen_topic_count(int topic)
{
	unsigned n = 0;
	while (n < N_OF(gen_topics[0].phrase) && gen_topics[topic].phrase[n])
		n++;
	return n;
}

/* Number of items of a guide group. */
static unsigned gen_group_count(const struct gen_group *grp)
{
	unsigned n = 0;
	while (n < N_OF(grp->items) && grp->items[n])
		n++;
	return n;
}

/* Append a day as "YYYY年M月D日". */
static void gen_put_zh_date(struct gen *g, struct kk_buf *b, long day)
{
	struct gen_date dt = gen_date_of(day);
	gen_putf(g, b, "%d年%d月%d日", dt.y, dt.m, dt.d);
}

/*
 * The fragment for slot key: a string literal, or text formatted into num (numbers, the
 * current document's subject …). Unknown keys give "" (a bug the tests would show as text).
 */
static const char *gen_frag(struct gen *g, struct gen_rng *r, char key, char *num, size_t numsz)
{
	const struct gen_core *id = g->id;

	switch (key) {
	case 'A':
		return PICK(r, gen_adverbs);
	case 'V':
		return PICK(r, gen_verbs);
	case 'O':
		return PICK(r, gen_objects);
	case 'S':
		return PICK(r, gen_units);
	case 'P':
		return PICK(r, gen_purposes);
	case 'L':
		return PICK(r, gen_laws);
	case 'D':
		return PICK(r, gen_deadlines);
	case 'E':
		return PICK(r, gen_dues);
	case 'C':
		return PICK(r, gen_connectors);
	case 'B':
		return PICK(r, gen_beneficiaries);
	case 'M':
		return PICK(r, gen_money);
	case 'Z':
		return PICK(r, gen_mechanisms);
	case 'X':
		return PICK(r, gen_risks);
	case 'R':
		return PICK(r, gen_results);
	case 'W':
		return PICK(r, gen_reports);
	case 'G':
		return PICK(r, gen_towns);
	case 'T':
		/* mostly the document's own subject, sometimes a neighbour in its topic */
		if (id && rng_pct(r, 70))
			return gen_topics[id->topic].phrase[id->phrase];
		{
			int t = id ? id->topic : (int)rng_below(r, N_TOPICS);
			return gen_topics[t].phrase[rng_below(r, gen_topic_count(t))];
		}
	case 'Q':
		return g->kind ? g->kind : "方案";
	case 'I':
		return gen_str(&g->inner);
	case 'N':
		snprintf(num, numsz, "%u", 2 + rng_below(r, 19));
		return num;
	case 'k':
		snprintf(num, numsz, "%u", 1 + rng_below(r, 5));
		return num;
	case 'K':
		snprintf(num, numsz, "%u", 5 * (2 + rng_below(r, 18)));
		return num;
	case 'Y':
		snprintf(num, numsz, "%d", g->year);
		return num;
	case 'J':
		snprintf(num, numsz, "%d", g->year + 1 + (int)rng_below(r, 3));
		return num;
	case 'U':
		snprintf(num, numsz, "%s%s", PICK(r, gen_surnames), PICK(r, gen_given));
		return num;
	case 'H':
		snprintf(num, numsz, "0000-%07u", 2100000 + rng_below(r, 900000));
		return num;
	}
	return "";
}

/* Append template t to b, filling {X} slots (fragments may hold slots, to depth 3). */
static void gen_expand(struct gen *g, struct gen_rng *r, struct kk_buf *b, const char *t, int depth)
{
	while (*t && !g->err) {
		const char *open = strchr(t, '{');
		char num[64];
		const char *f;

		if (!open) {
			gen_puts(g, b, t);
			return;
		}
		if (open > t)
			gen_put(g, b, t, (size_t)(open - t));
		if (open[1] == '\0' || open[2] != '}') { /* a literal brace: copy it */
			gen_put(g, b, open, 1);
			t = open + 1;
			continue;
		}
		f = gen_frag(g, r, open[1], num, sizeof num);
		if (depth < 3 && strchr(f, '{'))
			gen_expand(g, r, b, f, depth + 1);
		else
			gen_puts(g, b, f);
		t = open + 3;
	}
}

/* ---- bodies ------------------------------------------------------------------------------- */

enum { BL_H1, BL_H2, BL_P, BL_RAW };

/* Append to the body and count its code points. */
static void body_put(struct gen *g, const char *s, size_t n)
{
	size_t i;
	gen_put(g, &g->body, s, n);
	for (i = 0; i < n; i++)
		g->body_chars += ((unsigned char)s[i] & 0xC0) != 0x80;
}

/* Move g->line into the body as one block: a line of body_text or an HTML element. */
static void body_emit(struct gen *g, int kind)
{
	static const char *const open_tag[] = {"<h3>", "<p><strong>", "<p>", ""};
	static const char *const close_tag[] = {"</h3>", "</strong></p>", "</p>", ""};
	const char *o = "", *c = "";

	if (g->html) {
		o = open_tag[kind];
		c = close_tag[kind];
		if (kind == BL_H1 && !g->html_h3) {
			o = open_tag[BL_H2];
			c = close_tag[BL_H2];
		}
	} else if (g->body.len) {
		body_put(g, "\n", 1);
	}
	body_put(g, o, strlen(o));
	body_put(g, gen_str(&g->line), g->line.len);
	body_put(g, c, strlen(c));
	kk_buf_reset(&g->line);
}

/* One sentence into g->line. */
static void body_sentence(struct gen *g, struct gen_rng *r)
{
	gen_expand(g, r, &g->line, PICK(r, gen_sentences), 0);
}

/* A paragraph of 1..max sentences. */
static void body_para(struct gen *g, struct gen_rng *r, unsigned max)
{
	unsigned n = 1 + rng_below(r, max);
	while (n--)
		body_sentence(g, r);
	body_emit(g, BL_P);
}

/* A level-1 heading "一、text". */
static void body_h1(struct gen *g, struct gen_rng *r, int no, const char *text)
{
	gen_put_zh(g, &g->line, no);
	gen_puts(g, &g->line, "、");
	gen_expand(g, r, &g->line, text ? text : PICK(r, gen_headings), 0);
	body_emit(g, BL_H1);
}

/* A table of tasks or figures: | rows in body_text, <table> in body_html. */
static void body_table(struct gen *g, struct gen_rng *r)
{
	static const char *const task_head[] = {"序号", "工作任务", "牵头单位", "完成时限"};
	char yb[16], ya[16];
	const char *stat_head[5] = {"序号", "项目", yb, ya, "增长（%）"};
	int stats = rng_pct(r, 40), cols = stats ? 5 : 4;
	unsigned rows = 3 + rng_below(r, 4), i;
	int c;

	snprintf(yb, sizeof yb, "%d年", g->year - 1);
	snprintf(ya, sizeof ya, "%d年", g->year);
	if (g->html)
		gen_puts(g, &g->line, "<table><tbody><tr>");
	else
		gen_puts(g, &g->line, "|");
	for (c = 0; c < cols; c++) {
		const char *h = stats ? stat_head[c] : task_head[c];
		if (g->html) {
			gen_puts(g, &g->line, "<th>");
			gen_puts(g, &g->line, h);
			gen_puts(g, &g->line, "</th>");
		} else {
			gen_puts(g, &g->line, " ");
			gen_puts(g, &g->line, h);
			gen_puts(g, &g->line, " |");
		}
	}
	if (g->html) {
		gen_puts(g, &g->line, "</tr>");
	} else {
		body_emit(g, BL_RAW);
		gen_puts(g, &g->line, "|");
		for (c = 0; c < cols; c++)
			gen_puts(g, &g->line, " --- |");
		body_emit(g, BL_RAW);
	}
	for (i = 1; i <= rows; i++) {
		unsigned before = 10 + rng_below(r, 5000);
		unsigned after = before + rng_below(r, before / 2 + 1);
		gen_puts(g, &g->line, g->html ? "<tr>" : "|");
		for (c = 0; c < cols; c++) {
			gen_puts(g, &g->line, g->html ? "<td>" : " ");
			if (c == 0)
				gen_putf(g, &g->line, "%u", i);
			else if (!stats && c == 1)
				gen_expand(g, r, &g->line, "{V}{O}", 0);
			else if (!stats && c == 2)
				gen_expand(g, r, &g->line, "{S}", 0);
			else if (!stats)
				gen_expand(g, r, &g->line, "{E}", 0);
			else if (c == 1)
				gen_puts(g, &g->line, PICK(r, gen_stat_labels));
			else if (c == 2)
				gen_putf(g, &g->line, "%u", before);
			else if (c == 3)
				gen_putf(g, &g->line, "%u", after);
			else
				gen_putf(g, &g->line, "%u.%u", 100 * (after - before) / before,
				         1000 * (after - before) / before % 10);
			gen_puts(g, &g->line, g->html ? "</td>" : " |");
		}
		if (g->html)
			gen_puts(g, &g->line, "</tr>");
		else
			body_emit(g, BL_RAW);
	}
	if (g->html) {
		gen_puts(g, &g->line, "</tbody></table>");
		body_emit(g, BL_RAW);
	}
}

/*
 * The sections of a body until it holds about target code points: 一、 headings (from heads
 * in order while they last, then made up), each with paragraphs, （一） subsections, 1. items
 * with （1） sub-items, or a table. A section stops as soon as the target is met, so the body
 * overshoots by at most one paragraph.
 */
static void body_sections(struct gen *g, struct gen_rng *r, size_t target, const char *const *heads,
                          size_t nheads, int policy)
{
	int no = 0, tabled = 0;
	unsigned mid = rng_below(r, N_OF(gen_h1_middle));

	while (g->body_chars < target && !g->err) {
		const char *h = NULL;
		unsigned kind, k, n;

		no++;
		if (heads && (size_t)no <= nheads)
			h = heads[no - 1];
		else if (policy && no == 1)
			h = PICK(r, gen_h1_first);
		else if (policy && g->body_chars * 10 >= target * 7)
			h = PICK(r, gen_h1_last);
		else if (policy)
			h = gen_h1_middle[mid++ % N_OF(gen_h1_middle)];
		body_h1(g, r, no, h);

		kind = rng_below(r, 10);
		if (!tabled && kind == 9 && target - g->body_chars > 600) {
			body_para(g, r, 1);
			body_table(g, r);
			tabled = 1;
		} else if (kind < 3) {
			n = 1 + rng_below(r, 2);
			for (k = 0; k < n && g->body_chars < target; k++)
				body_para(g, r, 3);
		} else if (kind < 6) {
			n = 2 + rng_below(r, 3);
			for (k = 1; k <= n && g->body_chars < target; k++) {
				gen_puts(g, &g->line, "（");
				gen_put_zh(g, &g->line, (int)k);
				gen_puts(g, &g->line, "）");
				gen_expand(g, r, &g->line, PICK(r, gen_headings), 0);
				body_emit(g, BL_H2);
				body_para(g, r, 3);
			}
		} else {
			n = 3 + rng_below(r, 4);
			for (k = 1; k <= n && g->body_chars < target; k++) {
				gen_putf(g, &g->line, "%u. ", k);
				body_sentence(g, r);
				body_emit(g, BL_P);
				if (rng_pct(r, 15)) {
					unsigned s, ns = 2 + rng_below(r, 2);
					for (s = 1; s <= ns; s++) {
						gen_putf(g, &g->line, "（%u）", s);
						body_sentence(g, r);
						body_emit(g, BL_P);
					}
				}
			}
		}
	}
}

/* Signature lines: the publisher and the date. */
static void body_signature(struct gen *g, const char *publisher, long day)
{
	gen_puts(g, &g->line, publisher);
	body_emit(g, BL_P);
	gen_put_zh_date(g, &g->line, day);
	body_emit(g, BL_P);
}

/*
 * The body of an ordinary document (every series but the annual report) into g->body, in
 * the mode set by g->html, of 300..3,000 code points.
 */
static void body_document(struct gen *g, struct gen_rng *r, const struct gen_core *id, int form,
                          const char *publisher, long day)
{
	unsigned a = rng_below(r, 2100), b = rng_below(r, 2100);
	size_t target = 300 + (a < b ? a : b); /* 300..2,400, most near the low end */
	int tmpl = id->series == SER_INTERP ? T_INTERP : id->tmpl;

	switch (tmpl) {
	case T_PRINT:
		gen_puts(g, &g->line, PICK(r, gen_addressees));
		body_emit(g, BL_P);
		gen_expand(g, r, &g->line, "　　现将《{I}》印发给你们，请结合实际认真贯彻执行。",
		           0);
		body_emit(g, BL_P);
		gen_puts(g, &g->line, gen_str(&g->inner));
		body_emit(g, BL_H2);
		gen_expand(g, r, &g->line, "为{P}，根据{L}等有关规定，结合我县实际，制定本{Q}。",
		           0);
		body_emit(g, BL_P);
		break;
	case T_NOTICE:
	case T_LETTER:
		gen_puts(g, &g->line, PICK(r, gen_addressees));
		body_emit(g, BL_P);
		gen_expand(g, r, &g->line, "为{P}，根据{L}有关规定，现就{T}有关事项通知如下：", 0);
		body_emit(g, BL_P);
		break;
	case T_ANNOUNCE:
	case T_CIRCULAR:
		gen_expand(g, r, &g->line,
		           tmpl == T_ANNOUNCE
		               ? "根据{L}等有关规定，现将{T}有关事项公告如下："
		               : "为{P}，根据{L}等有关规定，现就{T}有关事项通告如下：",
		           0);
		body_emit(g, BL_P);
		break;
	case T_REPORT:
		gen_expand(g, r, &g->line,
		           "{Y}年以来，在县委、县政府的坚强领导下，{S}{A}{V}{O}，{T}"
		           "工作取得明显成效。现将有关情况报告如下：",
		           0);
		body_emit(g, BL_P);
		break;
	case T_REPLY:
		gen_expand(g, r, &g->line, "{G}：", 0);
		body_emit(g, BL_P);
		gen_expand(g, r, &g->line,
		           "你单位《关于{T}有关事项的请示》收悉。经研究，现批复如下：", 0);
		body_emit(g, BL_P);
		break;
	case T_INTERP:
		if (form == FORM_CHART) {
			gen_expand(g, r, &g->line, "（本解读以图表形式发布，以下为图解文字版）", 0);
			body_emit(g, BL_P);
		}
		gen_puts(g, &g->line, "近日，");
		gen_puts(g, &g->line, publisher);
		gen_expand(g, r, &g->line,
		           "印发了《{I}》。为便于社会公众了解相关政策，现解读如下：", 0);
		body_emit(g, BL_P);
		break;
	case T_GAZETTE:
		gen_puts(g, &g->line,
		         "示例县人民政府公报是刊登县政府及其部门行政规范性文件、重要决定和人事任免"
		         "等内容的政府出版物，本期刊登的文件为正式文本。");
		body_emit(g, BL_P);
		break;
	case T_GUIDE:
		gen_expand(g, r, &g->line,
		           "为了更好地提供政府信息公开服务，根据{L}"
		           "，编制本指南。申请人需要获得政府信息公开服务，建议事先阅读本指南。",
		           0);
		body_emit(g, BL_P);
		break;
	default:
		gen_expand(g, r, &g->line, "为{P}，根据{L}等有关规定，结合我县实际，制定本{Q}。",
		           0);
		body_emit(g, BL_P);
		break;
	}

	if (tmpl == T_INTERP && form == FORM_QA) {
		while (g->body_chars < target && !g->err) {
			gen_expand(g, r, &g->line, PICK(r, gen_questions), 0);
			body_emit(g, BL_P);
			gen_puts(g, &g->line, "答：");
			body_para(g, r, 3);
		}
	} else if (tmpl == T_INTERP) {
		body_sections(g, r, target, gen_h1_interp, N_OF(gen_h1_interp), 0);
	} else if (tmpl == T_REPORT) {
		body_sections(g, r, target, gen_h1_report, N_OF(gen_h1_report), 0);
	} else if (tmpl == T_GUIDE) {
		body_sections(g, r, target, gen_h1_guide, N_OF(gen_h1_guide), 0);
	} else {
		int policy = tmpl == T_PRINT || tmpl == T_STANDALONE || tmpl == T_OPINION ||
		             tmpl == T_DECISION || tmpl == T_PLAN || tmpl == T_GAZETTE;
		body_sections(g, r, target, NULL, 0, policy);
	}

	/* closing lines */
	if (tmpl == T_INTERP) {
		gen_puts(g, &g->line, "解读机关：");
		gen_puts(g, &g->line, publisher);
		body_emit(g, BL_P);
		gen_expand(g, r, &g->line, "联系人：{U}，联系电话：{H}", 0);
		body_emit(g, BL_P);
		return;
	}
	if (id->series == SER_REGULATION) {
		static const char *const years[] = {"2", "3", "5"};
		gen_expand(g, r, &g->line, "本{Q}自", 0);
		gen_put_zh_date(g, &g->line, day + 30);
		gen_puts(g, &g->line, "起施行，有效期");
		gen_puts(g, &g->line, PICK(r, years));
		gen_puts(g, &g->line, "年。");
		body_emit(g, BL_P);
	} else if (tmpl == T_NOTICE || tmpl == T_LETTER) {
		gen_expand(g, r, &g->line, "联系人：{U}，联系电话：{H}。", 0);
		body_emit(g, BL_P);
	}
	body_signature(g, publisher, day);
}

/* One column of the 依申请公开 table; the figures add up the way the national form demands. */
struct gen_apply_col {
	unsigned fresh, carried, open, partial, refused, pending;
};

/* One column: received this year and carried in = decided and carried on. */
static struct gen_apply_col gen_apply_column(struct gen_rng *r, unsigned scale)
{
	struct gen_apply_col c;
	unsigned in, rest;

	c.fresh = rng_below(r, scale + 1);
	c.carried = rng_below(r, scale / 10 + 2);
	in = c.fresh + c.carried;
	c.pending = rng_below(r, in / 5 + 1);
	rest = in - c.pending;
	c.refused = rng_below(r, rest / 4 + 1);
	c.partial = rng_below(r, (rest - c.refused) / 3 + 1);
	c.open = rest - c.refused - c.partial;
	return c;
}

/* A row of an HTML table: a label cell (with attributes) and numbers. */
static void html_row(struct gen *g, const char *label_td, const unsigned *v, int n)
{
	int i;
	gen_puts(g, &g->line, "<tr>");
	gen_puts(g, &g->line, label_td);
	for (i = 0; i < n; i++)
		gen_putf(g, &g->line, "<td>%u</td>", v[i]);
	gen_puts(g, &g->line, "</tr>");
}

/*
 * The body_html of a 政府信息公开工作年度报告: the national form's sections and tables (with
 * rowspan and colspan), figures random but adding up.
 */
static void body_annual_report(struct gen *g, struct gen_rng *r, const char *publisher, long day)
{
	struct gen_apply_col col[4];
	unsigned v[10];
	int i, y = g->year - 1;

	g->html = 1;
	gen_putf(g, &g->line,
	         "本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公"
	         "室有关要求编制。本报告所列数据的统计期限自%d年1月1日起至%d年12月31日止。",
	         y, y);
	body_emit(g, BL_P);

	gen_puts(g, &g->line, "一、总体情况");
	body_emit(g, BL_H1);
	for (i = 0; i < 2; i++)
		body_para(g, r, 3);

	gen_puts(g, &g->line, "二、主动公开政府信息情况");
	body_emit(g, BL_H1);
	gen_puts(g, &g->line,
	         "<table><tbody><tr><th "
	         "colspan=\"4\">第二十条第（一）项</th></tr><tr><th>信息内容</th><th>本年制发件数</"
	         "th><th>本年废止件数</th><th>现行有效件数</th></tr>");
	v[0] = 0, v[1] = 0, v[2] = 0;
	html_row(g, "<td>规章</td>", v, 3);
	v[0] = rng_below(r, 30), v[1] = rng_below(r, 10), v[2] = v[0] + rng_below(r, 120);
	html_row(g, "<td>行政规范性文件</td>", v, 3);
	gen_puts(g, &g->line,
	         "<tr><th colspan=\"4\">第二十条第（五）项</th></tr><tr><th>信息内容</th><th "
	         "colspan=\"3\">本年处理决定数量</th></tr>");
	{
		static const char *const kinds[] = {"行政许可", "行政处罚", "行政强制"};
		for (i = 0; i < 3; i++) {
			gen_putf(g, &g->line, "<tr><td>%s</td><td colspan=\"3\">%u</td></tr>",
			         kinds[i], rng_below(r, 20000));
		}
	}
	gen_puts(g, &g->line, "</tbody></table>");
	body_emit(g, BL_RAW);

	gen_puts(g, &g->line, "三、收到和处理政府信息公开申请情况");
	body_emit(g, BL_H1);
	for (i = 0; i < 3; i++)
		col[i] = gen_apply_column(r, i == 0 ? 80 : 15);
	memset(&col[3], 0, sizeof col[3]);
	for (i = 0; i < 3; i++) {
		col[3].fresh += col[i].fresh, col[3].carried += col[i].carried;
		col[3].open += col[i].open, col[3].partial += col[i].partial;
		col[3].refused += col[i].refused, col[3].pending += col[i].pending;
	}
	gen_puts(
	    g, &g->line,
	    "<table><tbody><tr><th rowspan=\"2\" "
	    "colspan=\"2\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</"
	    "th><th rowspan=\"2\">自然人</th><th colspan=\"2\">法人或其他组织</th><th "
	    "rowspan=\"2\">总计</th></tr><tr><th>商业企业</th><th>其他</th></tr>");
	for (i = 0; i < 4; i++)
		v[i] = col[i].fresh;
	html_row(g, "<td colspan=\"2\">一、本年新收政府信息公开申请数量</td>", v, 4);
	for (i = 0; i < 4; i++)
		v[i] = col[i].carried;
	html_row(g, "<td colspan=\"2\">二、上年结转政府信息公开申请数量</td>", v, 4);
	for (i = 0; i < 4; i++)
		v[i] = col[i].open;
	html_row(g, "<td rowspan=\"3\">三、本年度办理结果</td><td>（一）予以公开</td>", v, 4);
	for (i = 0; i < 4; i++)
		v[i] = col[i].partial;
	html_row(g, "<td>（二）部分公开</td>", v, 4);
	for (i = 0; i < 4; i++)
		v[i] = col[i].refused;
	html_row(g, "<td>（三）不予公开</td>", v, 4);
	for (i = 0; i < 4; i++)
		v[i] = col[i].pending;
	html_row(g, "<td colspan=\"2\">四、结转下年度继续办理</td>", v, 4);
	gen_puts(g, &g->line, "</tbody></table>");
	body_emit(g, BL_RAW);

	gen_puts(g, &g->line, "四、政府信息公开行政复议、行政诉讼情况");
	body_emit(g, BL_H1);
	gen_puts(g, &g->line,
	         "<table><tbody><tr><th colspan=\"5\">行政复议</th><th "
	         "colspan=\"5\">行政诉讼</th></tr><tr>");
	for (i = 0; i < 2; i++)
		gen_puts(g, &g->line,
		         "<th>结果维持</th><th>结果纠正</th><th>其他结果</th><th>尚未审结</"
		         "th><th>总计</th>");
	gen_puts(g, &g->line, "</tr>");
	for (i = 0; i < 10; i += 5) {
		v[i] = rng_below(r, 4), v[i + 1] = rng_below(r, 2), v[i + 2] = rng_below(r, 2);
		v[i + 3] = rng_below(r, 2);
		v[i + 4] = v[i] + v[i + 1] + v[i + 2] + v[i + 3];
	}
	html_row(g, "", v, 10);
	gen_puts(g, &g->line, "</tbody></table>");
	body_emit(g, BL_RAW);

	gen_puts(g, &g->line, "五、存在的主要问题及改进情况");
	body_emit(g, BL_H1);
	body_para(g, r, 3);
	gen_puts(g, &g->line, "六、其他需要报告的事项");
	body_emit(g, BL_H1);
	gen_puts(g, &g->line, "本年度未收取信息处理费。");
	body_sentence(g, r);
	body_emit(g, BL_P);
	body_signature(g, publisher, day);
}

/* ---- documents ---------------------------------------------------------------------------- */

/* Series from the first draw of a document's stream; document 0 is never a 政策解读. */
static int gen_series_from(unsigned x, long i)
{
	if (x < 250)
		return SER_REGULATION;
	if (x < 370)
		return i > 0 ? SER_INTERP : SER_GENERAL;
	if (x < 385)
		return SER_ANNUAL;
	if (x < 390)
		return SER_GUIDE;
	if (x < 420)
		return SER_GAZETTE;
	return SER_GENERAL;
}

/* The series of document i alone (one draw; used when searching for link targets). */
static int gen_series(const struct gen *g, long i)
{
	struct gen_rng r;
	rng_init(&r, g->seed, STREAM_CORE, (uint64_t)i);
	return gen_series_from(rng_below(&r, 1000), i);
}

/* Title template for a series, weighted the way a county's 目录 looks. */
static int gen_pick_tmpl(struct gen_rng *r, int series)
{
	static const unsigned char reg[] = {T_PRINT,      T_PRINT,      T_PRINT,      T_PRINT,
	                                    T_PRINT,      T_PRINT,      T_PRINT,      T_STANDALONE,
	                                    T_STANDALONE, T_STANDALONE, T_STANDALONE, T_STANDALONE,
	                                    T_OPINION,    T_OPINION,    T_OPINION,    T_OPINION,
	                                    T_DECISION,   T_CIRCULAR,   T_CIRCULAR,   T_CIRCULAR};
	static const unsigned char other[] = {
	    T_PRINT,  T_PRINT,   T_PRINT,    T_NOTICE,   T_NOTICE,   T_NOTICE,    T_NOTICE,
	    T_NOTICE, T_OPINION, T_ANNOUNCE, T_ANNOUNCE, T_ANNOUNCE, T_CIRCULAR,  T_REPORT,
	    T_REPORT, T_REPLY,   T_REPLY,    T_LETTER,   T_PLAN,     T_STANDALONE};
	switch (series) {
	case SER_REGULATION:
		return PICK(r, reg);
	case SER_ANNUAL:
		return T_ANNUAL;
	case SER_GUIDE:
		return T_GUIDE;
	case SER_GAZETTE:
		return T_GAZETTE;
	case SER_INTERP:
		return T_INTERP;
	}
	return PICK(r, other);
}

/* Whether a template makes a policy a 政策解读 could explain. */
static int gen_tmpl_is_policy(int tmpl)
{
	return tmpl == T_PRINT || tmpl == T_STANDALONE || tmpl == T_OPINION || tmpl == T_DECISION ||
	       tmpl == T_PLAN;
}

/*
 * The core of document i from its own stream: series, template, identity, validity and, for
 * a 行政规范性文件 that is no longer valid, the later 行政规范性文件 that replaced it (found
 * 60 days to 5 years on, by the series of the documents there).
 */
static void gen_core(const struct gen *g, long i, struct gen_core *c)
{
	struct gen_rng r;
	unsigned x;

	rng_init(&r, g->seed, STREAM_CORE, (uint64_t)i);
	c->series = gen_series_from(rng_below(&r, 1000), i);
	c->topic = (int)rng_below(&r, N_TOPICS);
	c->topic2 = rng_pct(&r, 30)
	                ? (c->topic + 1 + (int)rng_below(&r, N_TOPICS - 1)) % (int)N_TOPICS
	                : -1;
	c->phrase = (int)rng_below(&r, gen_topic_count(c->topic));
	x = rng_below(&r, 100);
	c->pub = x < 20 ? 0 : x < 40 ? 1 : gen_topics[c->topic].dept;
	c->verb = (int)rng_below(&r, N_TVERBS);
	c->docname = (int)rng_below(&r, N_DOCNAMES);
	c->town = (int)rng_below(&r, N_TOWNS);
	c->tmpl = gen_pick_tmpl(&r, c->series);
	if (c->series == SER_ANNUAL || c->series == SER_GUIDE)
		c->pub = (int)rng_below(&r, N_PUBS);
	if (c->tmpl == T_GAZETTE || c->tmpl == T_REPLY)
		c->pub = 0;
	x = rng_below(&r, 100);
	c->validity = V_VALID;
	if (c->series == SER_REGULATION)
		c->validity = x < 72   ? V_VALID
		              : x < 80 ? V_EXPIRED
		              : x < 87 ? V_REPEALED
		                       : V_REVISED;
	else if (c->series == SER_GENERAL && x < 5)
		c->validity = V_EXPIRED;
	c->repl = -1;
	if (c->series == SER_REGULATION && c->validity != V_VALID) {
		unsigned want = c->validity == V_REVISED    ? 100
		                : c->validity == V_REPEALED ? 50
		                                            : 40;
		if (rng_pct(&r, want)) {
			long target = gen_day(i, g->ndocs) + 60 + (long)rng_below(&r, 1800);
			long j = gen_first_on(target, g->ndocs);
			int k;
			for (k = 0; k < 32 && j < g->ndocs; k++, j++) {
				if (j > i && gen_series(g, j) == SER_REGULATION) {
					c->repl = j;
					break;
				}
			}
		}
		if (c->repl < 0 && c->validity == V_REVISED)
			c->validity = V_EXPIRED;
	}
}

/*
 * Core of document i with the identity (what the title says) of the end of its replacement
 * chain, so an old version carries the same name as the one that replaced it.
 */
static void gen_identity(const struct gen *g, long i, struct gen_core *id)
{
	struct gen_core t;
	long s;
	int depth = 0;

	gen_core(g, i, id);
	for (s = id->repl; s >= 0 && depth < 8; s = t.repl, depth++) {
		gen_core(g, s, &t);
		id->tmpl = t.tmpl;
		id->pub = t.pub;
		id->topic = t.topic;
		id->topic2 = t.topic2;
		id->phrase = t.phrase;
		id->verb = t.verb;
		id->docname = t.docname;
		id->town = t.town;
	}
}

/*
 * The earlier document a 政策解读 (i > 0) explains: a policy published up to half a year
 * before it, else the nearest earlier document that is not itself a 解读.
 */
static long gen_interp_target(const struct gen *g, long i)
{
	struct gen_rng r;
	struct gen_core c;
	long k, window = i - gen_first_on(gen_day(i, g->ndocs) - 180, g->ndocs);
	int t;

	if (window < 1)
		window = 1;
	if (window > i)
		window = i;
	rng_init(&r, g->seed, STREAM_LINK, (uint64_t)i);
	for (t = 0; t < 24; t++) {
		k = i - 1 - (long)rng_below(&r, (unsigned long)window);
		gen_core(g, k, &c);
		if (c.series == SER_REGULATION ||
		    (c.series == SER_GENERAL && gen_tmpl_is_policy(c.tmpl)))
			return k;
	}
	for (k = i - 1; k > 0; k--)
		if (gen_series(g, k) != SER_INTERP)
			return k;
	return 0;
}

/* Whether a subject already starts with a verb (促进消费), so a title adds none. */
static int gen_phrase_has_verb(const char *ph)
{
	static const char *const verbs[] = {"优化", "促进", "巩固", "防止", "治理", "驻村", "双拥"};
	size_t i;
	for (i = 0; i < N_OF(verbs); i++)
		if (strncmp(ph, verbs[i], strlen(verbs[i])) == 0)
			return 1;
	return 0;
}

/*
 * The title of a document with identity id into t, and the name it is cited by (what goes
 * between 《》) into inner. year is the year of the document.
 */
static void gen_title(struct gen *g, const struct gen_core *id, int year, struct kk_buf *t,
                      struct kk_buf *inner)
{
	const char *pub = gen_pubs[id->pub].name;
	const char *ph = gen_topics[id->topic].phrase[id->phrase];
	const char *verb = gen_phrase_has_verb(ph) ? "" : gen_tverbs[id->verb];
	const struct gen_docname *dn = &gen_docnames[id->docname];
	int variant = (id->verb + id->phrase + id->town) % 3;

	kk_buf_reset(t);
	kk_buf_reset(inner);
	switch (id->tmpl) {
	case T_PRINT:
	case T_STANDALONE:
		/* the cited name; plans and work programmes carry their years */
		gen_puts(g, inner, "示例县");
		if (strcmp(dn->name, "工作方案") == 0 && variant != 1)
			gen_putf(g, inner, "%d年", year);
		gen_puts(g, inner, ph);
		gen_puts(g, inner, dn->name);
		if (strcmp(dn->name, "三年行动计划") == 0)
			gen_putf(g, inner, "（%d—%d年）", year, year + 2);
		if (id->tmpl == T_STANDALONE) {
			gen_puts(g, t, gen_str(inner));
			return;
		}
		if (variant)
			gen_puts(g, t, pub);
		gen_puts(g, t, "关于印发《");
		gen_puts(g, t, gen_str(inner));
		gen_puts(g, t, "》的通知");
		return;
	case T_OPINION:
		gen_puts(g, t, pub);
		gen_puts(g, t, "关于");
		gen_puts(g, t, verb);
		gen_puts(g, t, ph);
		gen_puts(g, t, variant ? "的实施意见" : "工作的意见");
		break;
	case T_NOTICE:
		if (variant == 0)
			gen_putf(g, t, "关于%s%s工作的通知", verb, ph);
		else if (variant == 1)
			gen_putf(g, t, "关于开展%d年度%s专项检查的通知", year, ph);
		else
			gen_putf(g, t, "%s关于做好%s有关工作的通知", pub, ph);
		break;
	case T_DECISION:
		if (variant == 2)
			gen_putf(g, t, "%s关于表彰%d年度%s工作先进集体和先进个人的决定", pub, year,
			         ph);
		else
			gen_putf(g, t, "%s关于%s%s的决定", pub, verb, ph);
		break;
	case T_ANNOUNCE:
		if (variant == 0)
			gen_putf(g, t, "关于%s有关事项的公告", ph);
		else
			gen_putf(g, t, "%s关于%d年%s资金拟安排情况的公告", pub, year, ph);
		break;
	case T_CIRCULAR:
		if (variant == 0)
			gen_putf(g, t, "关于加强%s管理的通告", ph);
		else
			gen_putf(g, t, "%s关于%s%s的通告", pub, verb, ph);
		break;
	case T_REPORT:
		if (variant == 0)
			gen_putf(g, t, "示例县%d年%s工作总结", year, ph);
		else
			gen_putf(g, t, "%s关于%d年%s工作情况的报告", pub, year, ph);
		break;
	case T_REPLY:
		gen_putf(g, t, "%s关于同意%s%s项目实施方案的批复", pub, gen_towns[id->town], ph);
		break;
	case T_LETTER:
		if (variant == 0)
			gen_putf(g, t, "%s关于%s有关事项的函", pub, ph);
		else
			gen_putf(g, t, "关于征求《示例县%s%s（征求意见稿）》意见的函", ph,
			         dn->name);
		break;
	case T_PLAN:
		gen_putf(g, t, "示例县“%s”%s规划",
		         year >= 2021   ? "十四五"
		         : year >= 2016 ? "十三五"
		                        : "十二五",
		         ph);
		break;
	case T_ANNUAL:
		gen_putf(g, t, "%s%d年政府信息公开工作年度报告", pub, year - 1);
		break;
	case T_GUIDE:
		if (variant == 0)
			gen_putf(g, t, "%s政府信息公开指南（%d年修订）", pub, year);
		else
			gen_putf(g, t, "%s政府信息公开指南", pub);
		break;
	case T_GAZETTE:
		gen_putf(g, t, "示例县人民政府公报（%d年第%d期）", year,
		         1 + (id->verb * 7 + id->phrase + id->town) % 12);
		break;
	}
	gen_puts(g, inner, gen_str(t));
}

/* The genre (体裁) of a template. */
static const char *gen_genre(const struct gen_core *id)
{
	switch (id->tmpl) {
	case T_PRINT:
		return "通知";
	case T_STANDALONE:
		return gen_docnames[id->docname].genre;
	case T_OPINION:
		return "意见";
	case T_NOTICE:
		return "通知";
	case T_DECISION:
		return "决定";
	case T_ANNOUNCE:
		return "公告";
	case T_CIRCULAR:
		return "通告";
	case T_REPORT:
		return "报告";
	case T_REPLY:
		return "批复";
	case T_LETTER:
		return "函";
	case T_PLAN:
		return "规划";
	case T_ANNUAL:
		return "报告";
	case T_GUIDE:
		return "指南";
	case T_INTERP:
		return "解读";
	}
	return "其他";
}

/* How a document calls itself in its text (本方案, 本意见 …). */
static const char *gen_kind(const struct gen_core *id)
{
	switch (id->tmpl) {
	case T_PRINT:
	case T_STANDALONE:
		return gen_docnames[id->docname].kind;
	case T_OPINION:
		return "意见";
	case T_DECISION:
		return "决定";
	case T_PLAN:
		return "规划";
	case T_GUIDE:
		return "指南";
	case T_REPORT:
		return "报告";
	case T_GAZETTE:
		return "公报";
	case T_ANNOUNCE:
		return "公告";
	case T_CIRCULAR:
		return "通告";
	}
	return "通知";
}

/* Set key to a string; a failure (out of memory) is kept in g->err. */
static void js_set(struct gen *g, json_t *o, const char *key, const char *val)
{
	json_t *s = json_string(val);
	if (!s || json_object_set_new(o, key, s) != 0) {
		if (!g->err)
			g->err = KK_ENOMEM;
	}
}

/* Set key to a new JSON value v (stolen). */
static void js_set_new(struct gen *g, json_t *o, const char *key, json_t *v)
{
	if (!v || json_object_set_new(o, key, v) != 0) {
		if (!g->err)
			g->err = KK_ENOMEM;
	}
}

/* Append a string to a JSON array. */
static void js_append(struct gen *g, json_t *a, const char *val)
{
	json_t *s = json_string(val);
	if (!s || json_array_append_new(a, s) != 0) {
		if (!g->err)
			g->err = KK_ENOMEM;
	}
}

/* Build document i (0-based) as a JSON object into *out (caller decrefs). */
static int gen_document(struct gen *g, long i, json_t **out)
{
	struct gen_core id, tid;
	struct gen_core *ident = &id; /* whose subject the document is about */
	struct gen_rng r;
	struct gen_date pd, wd;
	long day = gen_day(i, g->ndocs), wday, target = -1;
	int form = FORM_TEXT, yi;
	char buf[96], date[16];
	json_t *o, *topics;

	*out = NULL;
	gen_identity(g, i, &id);
	rng_init(&r, g->seed, STREAM_RENDER, (uint64_t)i);
	wday = day - (long)rng_below(&r, 15);
	if (wday < 0)
		wday = 0;
	pd = gen_date_of(day);
	wd = gen_date_of(wday);
	g->year = pd.y;

	if (id.series == SER_INTERP) {
		unsigned f = rng_below(&r, 10);
		form = f < 7 ? FORM_TEXT : f < 9 ? FORM_QA : FORM_CHART;
		target = gen_interp_target(g, i);
		gen_identity(g, target, &tid);
		ident = &tid;
		gen_title(g, &tid, gen_date_of(gen_day(target, g->ndocs)).y, &g->scratch,
		          &g->inner);
		kk_buf_reset(&g->title);
		if (form == FORM_QA)
			gen_puts(g, &g->title, "《");
		else if (form == FORM_CHART)
			gen_puts(g, &g->title, (id.verb & 1) ? "一图读懂《" : "图解：《");
		else
			gen_puts(g, &g->title, (id.verb % 3 == 0) ? "关于《" : "《");
		gen_puts(g, &g->title, gen_str(&g->inner));
		if (form == FORM_QA)
			gen_puts(g, &g->title, "》政策问答");
		else if (form == FORM_CHART)
			gen_puts(g, &g->title, "》");
		else
			gen_puts(g, &g->title, (id.verb % 3 == 0) ? "》的解读" : "》政策解读");
	} else {
		gen_title(g, &id, pd.y, &g->title, &g->inner);
	}
	g->id = ident;
	g->kind = gen_kind(ident);

	o = json_object();
	if (!o)
		return KK_ENOMEM;
	snprintf(buf, sizeof buf, "g-doc-%06ld", i + 1);
	js_set(g, o, "id", buf);
	js_set(g, o, "title", gen_str(&g->title));

	/* 索引号: publisher code / year - sequence of that publisher in that year */
	yi = pd.y - 2010;
	if (yi < 0 || yi > 15)
		yi = 15;
	g->idx_seq[ident->pub][yi]++;
	if (rng_pct(&r, 95)) {
		snprintf(buf, sizeof buf, "%09lu/%04d-%05ld",
		         113300100ul + 17ul * (unsigned long)ident->pub, pd.y,
		         g->idx_seq[ident->pub][yi]);
		js_set(g, o, "index_no", buf);
	}
	/* 文号 */
	if (id.series != SER_INTERP && id.tmpl != T_ANNUAL && id.tmpl != T_GUIDE &&
	    id.tmpl != T_GAZETTE && id.tmpl != T_REPORT && id.tmpl != T_ANNOUNCE &&
	    (id.tmpl != T_CIRCULAR || rng_pct(&r, 60))) {
		static const char *const suffixes[] = {"发", "函", "复", "规", ""};
		int sx = id.tmpl == T_LETTER           ? 1
		         : id.tmpl == T_REPLY          ? 2
		         : id.series == SER_REGULATION ? 3
		         : id.pub <= 1                 ? 0
		                                       : 4;
		int wy = wd.y - 2010 < 0 ? 0 : wd.y - 2010 > 15 ? 15 : wd.y - 2010;
		/* numbered in order per prefix and year, so every 文号 is unique */
		snprintf(buf, sizeof buf, "%s%s〔%d〕%ld号", gen_pubs[id.pub].abbr, suffixes[sx],
		         wd.y, ++g->no_seq[id.pub][sx][wy]);
		js_set(g, o, "doc_no", buf);
	}
	js_set(g, o, "publisher", gen_pubs[ident->pub].name);
	if (id.series != SER_INTERP && id.series != SER_GAZETTE) {
		gen_iso(date, wday);
		js_set(g, o, "written", date);
	}
	gen_iso(date, day);
	js_set(g, o, "published", date);
	if (id.series == SER_REGULATION || (id.series == SER_GENERAL && rng_pct(&r, 60)) ||
	    id.validity != V_VALID)
		js_set(g, o, "validity", gen_validity_names[id.validity]);
	if (id.repl >= 0) {
		snprintf(buf, sizeof buf, "g-doc-%06ld", id.repl + 1);
		js_set(g, o, "replaced_by", buf);
	}
	topics = json_array();
	if (topics) {
		js_append(g, topics, gen_topics[ident->topic].name);
		if (ident->topic2 >= 0)
			js_append(g, topics, gen_topics[ident->topic2].name);
	}
	js_set_new(g, o, "topics", topics);
	js_set(g, o, "genre", gen_genre(&id));
	if (id.series != SER_GENERAL || rng_pct(&r, 70))
		js_set(g, o, "series", gen_series_names[id.series]);
	if (id.series == SER_INTERP) {
		snprintf(buf, sizeof buf, "g-doc-%06ld", target + 1);
		js_set(g, o, "interprets", buf);
		js_set(g, o, "form", gen_form_names[form]);
	}
	if (rng_pct(&r, 80)) {
		snprintf(buf, sizeof buf, "https://www.example.gov.cn/art/%d/%d/%d/art_%d_%ld.html",
		         pd.y, pd.m, pd.d, 1229 + id.series, i + 1);
		js_set(g, o, "url", buf);
	}

	kk_buf_reset(&g->body);
	kk_buf_reset(&g->line);
	g->body_chars = 0;
	g->html_h3 = rng_pct(&r, 50);
	if (id.tmpl == T_ANNUAL) {
		body_annual_report(g, &r, gen_pubs[ident->pub].name, day);
	} else {
		g->html = rng_pct(&r, 15);
		body_document(g, &r, &id, form, gen_pubs[ident->pub].name, day);
	}
	js_set(g, o, g->html ? "body_html" : "body_text", gen_str(&g->body));
	g->html = 0;
	g->id = NULL;

	if (g->err) {
		json_decref(o);
		return g->err;
	}
	*out = o;
	return 0;
}

/* ---- guides ------------------------------------------------------------------------------- */

/* The text of one guide section into g->body (body_text rules: lines, 1. and （1） items). */
static void gen_guide_section(struct gen *g, struct gen_rng *r, int label, const char *title,
                              const char *dept)
{
	unsigned i, n;
	struct kk_buf *b = &g->body;

	kk_buf_reset(b);
	switch (label) {
	case 0:
		gen_puts(g, b, title);
		break;
	case 1:
		gen_puts(g, b, dept);
		break;
	case 2:
		n = 1 + rng_below(r, 3);
		for (i = 1; i <= n; i++) {
			gen_putf(g, b, "%s%u.", i > 1 ? "\n" : "", i);
			gen_expand(g, r, b, "{L}", 0);
			gen_putf(g, b, "第%u条", 2 + rng_below(r, 80));
			gen_puts(g, b, i == n ? "。" : "；");
		}
		break;
	case 3:
		n = 2 + rng_below(r, 3);
		for (i = 1; i <= n; i++) {
			gen_putf(g, b, "%s（%u）", i > 1 ? "\n" : "", i);
			gen_expand(g, r, b, PICK(r, gen_conditions), 0);
			gen_puts(g, b, i == n ? "。" : "；");
		}
		break;
	case 4:
		gen_putf(g, b, "1. 《%s申请表》原件1份；", title);
		n = 2 + rng_below(r, 5);
		for (i = 2; i <= n; i++) {
			gen_putf(g, b, "\n%u. %s（原件%s）", i, PICK(r, gen_materials),
			         rng_pct(r, 50) ? "及复印件各1份" : "1份");
			gen_puts(g, b, i == n ? "。" : "；");
		}
		break;
	case 5:
		gen_putf(g, b, "1. 申请：申请人通过%s提交申请材料。", PICK(r, gen_apply_channels));
		gen_puts(g, b,
		         "\n2. "
		         "受理：窗口工作人员对申请材料进行审查，材料齐全、符合法定形式的当场受理；"
		         "材料不齐全的，一次性告知需要补正的全部内容。");
		gen_putf(g, b, "\n3. 审查：%s在%u个工作日内完成审核，必要时进行实地核查。", dept,
		         2 + rng_below(r, 10));
		gen_puts(
		    g, b,
		    "\n4. "
		    "决定：符合条件的，作出准予办理的决定；不符合条件的，书面告知并说明理由。");
		gen_puts(g, b,
		         rng_pct(r, 50)
		             ? "\n5. 送达：申请人可到窗口领取办理结果，也可选择免费邮寄送达。"
		             : "\n5. 办结：办理结果通过短信告知申请人。");
		break;
	case 6:
		if (rng_pct(r, 20)) {
			gen_puts(g, b, "即时办结。");
		} else {
			unsigned legal = 10 + rng_below(r, 50);
			gen_putf(g, b, "法定办结时限：%u个工作日；\n承诺办结时限：%u个工作日。",
			         legal, 1 + rng_below(r, legal / 2));
		}
		break;
	case 7:
		if (rng_pct(r, 85))
			gen_puts(g, b, "不收费。");
		else
			gen_putf(g, b, "按照有关规定收取工本费%u元。", 5 * (1 + rng_below(r, 8)));
		break;
	case 8:
		if (rng_pct(r, 70))
			gen_putf(g, b, "示例县政务服务中心%s楼%u号窗口（示例县人民路1号）",
			         gen_zh_digits[1 + rng_below(r, 3)], 1 + rng_below(r, 60));
		else
			gen_putf(g, b,
			         "各乡镇（街道）便民服务中心，%s便民服务中心地址：%s人民路%u号",
			         PICK(r, gen_towns), "示例县", 10 + rng_below(r, 200));
		break;
	case 9:
		gen_puts(g, b, "工作日 上午9:00-12:00，下午13:30-17:30（法定节假日除外）");
		break;
	case 10:
		gen_putf(g, b, "0000-%07u", 1230000 + rng_below(r, 9999));
		break;
	case 11:
		gen_puts(g, b,
		         rng_pct(r, 50) ? "0000-12345（县政务服务便民热线）" : "0000-1234500");
		break;
	}
}

/* Build guide k (0-based) of book (0 惠民, 1 惠企), group grp, item number item. */
static int gen_guide(struct gen *g, long k, int book, const struct gen_group *grp, long item,
                     json_t **out)
{
	static const char *const labels[] = {"事项名称", "实施主体", "设定依据", "受理条件",
	                                     "申请材料", "办理流程", "办理时限", "收费标准",
	                                     "办理地点", "办理时间", "咨询电话", "监督投诉电话"};
	struct gen_rng r;
	unsigned n = gen_group_count(grp), variant;
	char buf[96], date[16];
	json_t *o, *secs;
	int l;

	*out = NULL;
	rng_init(&r, g->seed, STREAM_GUIDE, (uint64_t)k);
	/* the item itself, then its variants by channel, then by town (cycling after that) */
	variant = (unsigned)((item / (long)n) % (long)(1 + N_OF(gen_channels) + N_TOWNS));
	kk_buf_reset(&g->title);
	gen_puts(g, &g->title, grp->items[item % (long)n]);
	if (variant) {
		gen_puts(g, &g->title, "（");
		if (variant <= N_OF(gen_channels)) {
			gen_puts(g, &g->title, gen_channels[variant - 1]);
		} else {
			gen_puts(g, &g->title, gen_towns[variant - 1 - N_OF(gen_channels)]);
			gen_puts(g, &g->title, "便民服务中心");
		}
		gen_puts(g, &g->title, "）");
	}
	g->id = NULL;
	g->year = 2019 + (int)rng_below(&r, 7);

	o = json_object();
	secs = json_array();
	if (!o || !secs) {
		json_decref(o);
		json_decref(secs);
		return KK_ENOMEM;
	}
	snprintf(buf, sizeof buf, "g-guide-%05ld", k + 1);
	js_set(g, o, "id", buf);
	js_set(g, o, "book", book ? "惠企" : "惠民");
	js_set(g, o, "group", grp->name);
	js_set(g, o, "title", gen_str(&g->title));
	for (l = 0; l < (int)N_OF(labels); l++) {
		json_t *s = json_object();
		gen_guide_section(g, &r, l, gen_str(&g->title), gen_pubs[grp->dept].name);
		if (s) {
			js_set(g, s, "label", labels[l]);
			js_set(g, s, "text", gen_str(&g->body));
		}
		if (!s || json_array_append_new(secs, s) != 0)
			g->err = g->err ? g->err : KK_ENOMEM;
		if (l == 8 && rng_pct(&r, 10)) { /* a publisher's own label, kept in its place */
			s = json_object();
			if (s) {
				js_set(g, s, "label", "网上办理地址");
				snprintf(buf, sizeof buf, "https://zwfw.example.gov.cn/item/%05ld",
				         k + 1);
				js_set(g, s, "text", buf);
			}
			if (!s || json_array_append_new(secs, s) != 0)
				g->err = g->err ? g->err : KK_ENOMEM;
		}
	}
	js_set_new(g, o, "sections", secs);
	if (rng_pct(&r, 70)) {
		snprintf(buf, sizeof buf, "https://zwfw.example.gov.cn/guide/%05ld.html", k + 1);
		js_set(g, o, "url", buf);
	}
	gen_iso(date, GEN_DAYS - 1 - (long)rng_below(&r, 7 * 365));
	js_set(g, o, "updated", date);
	if (g->err) {
		json_decref(o);
		return g->err;
	}
	*out = o;
	return 0;
}

/* ---- files -------------------------------------------------------------------------------- */

/* Open dir/name for writing with a big stdio buffer. */
static int out_open(struct gen_out *out, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;

	memset(out, 0, sizeof *out);
	out->path = malloc(n);
	if (!out->path)
		return KK_ENOMEM;
	snprintf(out->path, n, "%s/%s", dir, name);
	out->f = fopen(out->path, "w");
	if (!out->f) {
		kk_error("gen", "%s: cannot create: %s", out->path, strerror(errno));
		return KK_EIO;
	}
	out->vbuf = malloc(GEN_VBUF_SIZE);
	if (out->vbuf && setvbuf(out->f, out->vbuf, _IOFBF, GEN_VBUF_SIZE) != 0) {
		free(out->vbuf); /* stdio keeps its own buffer */
		out->vbuf = NULL;
	}
	return 0;
}

/* Write n bytes; a short write is KK_EIO, logged with the file name. */
static int out_write(struct gen_out *out, const char *s, size_t n)
{
	if (n && fwrite(s, 1, n, out->f) != n) {
		kk_error("gen", "%s: write failed: %s", out->path, strerror(errno));
		return KK_EIO;
	}
	return 0;
}

/* Write a JSON value on one line (compact, UTF-8 as it is) and drop it. */
static int out_json_line(struct gen_out *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc;

	json_decref(o);
	if (!s)
		return KK_ENOMEM;
	rc = out_write(out, s, strlen(s));
	if (!rc)
		rc = out_write(out, "\n", 1);
	free(s);
	return rc;
}

/* Close (flushing) and free; a failed close is KK_EIO. Safe on a never-opened out. */
static int out_close(struct gen_out *out)
{
	int rc = 0;

	if (out->f && fclose(out->f) != 0) {
		kk_error("gen", "%s: write failed at close: %s", out->path, strerror(errno));
		rc = KK_EIO;
	}
	free(out->vbuf);
	free(out->path);
	memset(out, 0, sizeof *out);
	return rc;
}

/* Count one record done and log each tenth of a big run. */
static void gen_progress(struct gen *g)
{
	g->done++;
	if (g->total < 10000)
		return;
	while (g->next_tenth <= 10 && g->done * 10 >= g->total * g->next_tenth) {
		kk_info("gen", "%d%% (%ld of %ld records)", g->next_tenth * 10, g->done, g->total);
		g->next_tenth++;
	}
}

/* site.json: the 示例县 publisher, pretty-printed. */
static int gen_write_site(const char *dir)
{
	struct gen_out out;
	json_t *site = NULL;
	char *s = NULL;
	int rc, rc2;

	rc = out_open(&out, dir, "site.json");
	if (rc)
		goto out;
	site = json_pack("{s:s, s:s, s:{s:i, s:i}, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "publisher",
	                 "示例县人民政府", "region", "示例省示例市示例县", "version", "epoch", 1,
	                 "seq", 1, "contact", "office", "示例县人民政府办公室政务公开科", "address",
	                 "示例县人民路1号县政务服务中心三楼", "hours",
	                 "工作日 上午9:00-12:00，下午13:30-17:30", "phone", "0000-1234567",
	                 "postcode", "000000", "email", "gk@example.gov.cn");
	s = site ? json_dumps(site, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!s) {
		rc = KK_ENOMEM;
		goto out;
	}
	rc = out_write(&out, s, strlen(s));
	if (!rc)
		rc = out_write(&out, "\n", 1);
out:
	rc2 = out_close(&out);
	if (!rc)
		rc = rc2;
	free(s);
	json_decref(site);
	return rc;
}

/* documents.jsonl: documents 1..n in order of publication. */
static int gen_write_documents(struct gen *g, const char *dir)
{
	struct gen_out out;
	json_t *o;
	long i;
	int rc, rc2;

	rc = out_open(&out, dir, "documents.jsonl");
	for (i = 0; i < g->ndocs && !rc; i++) {
		rc = gen_document(g, i, &o);
		if (!rc)
			rc = out_json_line(&out, o);
		gen_progress(g);
	}
	if (rc == KK_ENOMEM)
		kk_error("gen", "documents.jsonl: out of memory at document %ld", i);
	rc2 = out_close(&out);
	return rc ? rc : rc2;
}

/* guides.jsonl: half (rounded up) 惠民, the rest 惠企, spread evenly over each book's groups. */
static int gen_write_guides(struct gen *g, const char *dir, long n)
{
	struct gen_out out;
	json_t *o;
	long k = 0;
	int rc, rc2, book;

	rc = out_open(&out, dir, "guides.jsonl");
	for (book = 0; book < 2 && !rc; book++) {
		const struct gen_group *groups = book ? gen_groups_huiqi : gen_groups_huimin;
		long ngroups = book ? (long)N_OF(gen_groups_huiqi) : (long)N_OF(gen_groups_huimin);
		long in_book = book ? n / 2 : n - n / 2, grp;

		for (grp = 0; grp < ngroups && !rc; grp++) {
			long items = in_book / ngroups + (grp < in_book % ngroups), it;
			for (it = 0; it < items && !rc; it++, k++) {
				rc = gen_guide(g, k, book, &groups[grp], it, &o);
				if (!rc)
					rc = out_json_line(&out, o);
				gen_progress(g);
			}
		}
	}
	if (rc == KK_ENOMEM)
		kk_error("gen", "guides.jsonl: out of memory at guide %ld", k);
	rc2 = out_close(&out);
	return rc ? rc : rc2;
}

/* synonyms.txt: fixed groups a resident would use. */
static int gen_write_synonyms(const char *dir)
{
	static const char text[] = "# 同义词：每行一组，空格分隔（由 kioskdb gen 生成的合成数据）\n"
	                           "补办 补领 重新办理\n"
	                           "过户 转移登记\n"
	                           "身份证 居民身份证\n"
	                           "社保 社会保险\n"
	                           "医保 医疗保险 医疗保障\n"
	                           "公积金 住房公积金\n"
	                           "低保 最低生活保障\n"
	                           "营业执照 执照\n"
	                           "户口 户籍\n"
	                           "出生证 出生医学证明\n"
	                           "退休 养老金领取\n"
	                           "残疾证 残疾人证\n"
	                           "减税 减税降费 税收优惠\n"
	                           "双创 创新创业\n"
	                           "营商 营商环境\n"
	                           "旧改 老旧小区改造\n"
	                           "公租房 公共租赁住房 廉租房\n"
	                           "危房改造 农村危房改造\n"
	                           "高龄补贴 高龄津贴\n"
	                           "新农合 城乡居民医保 城乡居民基本医疗保险\n"
	                           "上学 入学 招生\n"
	                           "看病 就医\n"
	                           "结婚 结婚登记 婚姻登记\n"
	                           "开公司 企业开办 设立登记\n"
	                           "补贴 补助 奖补\n"
	                           "留抵退税 增值税留抵退税\n"
	                           "一网通办 网上办理\n"
	                           "失业金 失业保险金\n"
	                           "养老保险 养老金\n"
	                           "不动产证 房产证 不动产权证书\n";
	struct gen_out out;
	int rc, rc2;

	rc = out_open(&out, dir, "synonyms.txt");
	if (!rc)
		rc = out_write(&out, text, sizeof text - 1);
	rc2 = out_close(&out);
	return rc ? rc : rc2;
}

/* Make sure dir is an empty folder: create it (with parents) or check an existing one. */
static int gen_prepare_dir(const char *dir)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char *p = NULL, *s;
	int rc = 0;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			kk_error("gen", "%s: exists and is not a folder", dir);
			return KK_EINVAL;
		}
		d = opendir(dir);
		if (!d) {
			kk_error("gen", "%s: cannot open: %s", dir, strerror(errno));
			return KK_EIO;
		}
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				kk_error(
				    "gen",
				    "%s: folder is not empty (has %s); refusing to mix exports",
				    dir, e->d_name);
				rc = KK_EINVAL;
				break;
			}
		}
		closedir(d);
		return rc;
	}
	if (errno != ENOENT) {
		kk_error("gen", "%s: %s", dir, strerror(errno));
		return KK_EIO;
	}
	p = kk_strdup(dir);
	if (!p)
		return KK_ENOMEM;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			kk_error("gen", "%s: cannot create: %s", p, strerror(errno));
			rc = KK_EIO;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST) {
		kk_error("gen", "%s: cannot create: %s", p, strerror(errno));
		rc = KK_EIO;
	}
out:
	free(p);
	return rc;
}

/*
 * See gen.h. Checks the options and the folder, then writes the four files one after the
 * other; the first error stops the run.
 */
int kk_gen_export(const char *dir, const struct kk_gen_opts *o)
{
	struct gen *g = NULL;
	int rc;

	if (!dir || !*dir || !o) {
		kk_error("gen", "no output folder or options");
		return KK_EINVAL;
	}
	if (o->documents < 0 || o->documents > KK_GEN_MAX_DOCUMENTS || o->guides < 0 ||
	    o->guides > KK_GEN_MAX_GUIDES) {
		kk_error("gen", "documents %ld, guides %ld: must be 0..%ld and 0..%ld",
		         o->documents, o->guides, KK_GEN_MAX_DOCUMENTS, KK_GEN_MAX_GUIDES);
		return KK_EINVAL;
	}
	rc = gen_prepare_dir(dir);
	if (rc)
		return rc;
	g = calloc(1, sizeof *g);
	if (!g)
		return KK_ENOMEM;
	g->seed = o->seed;
	g->ndocs = o->documents;
	g->total = o->documents + o->guides;
	g->next_tenth = 1;
	kk_buf_init(&g->title, GEN_SHORT_MAX);
	kk_buf_init(&g->inner, GEN_SHORT_MAX);
	kk_buf_init(&g->scratch, GEN_SHORT_MAX);
	kk_buf_init(&g->body, GEN_BODY_MAX);
	kk_buf_init(&g->line, GEN_LINE_MAX);
	if (g->total >= 10000)
		kk_info("gen", "%s: %ld documents, %ld guides, seed %u", dir, o->documents,
		        o->guides, o->seed);

	rc = gen_write_site(dir);
	if (!rc)
		rc = gen_write_documents(g, dir);
	if (!rc)
		rc = gen_write_guides(g, dir, o->guides);
	if (!rc)
		rc = gen_write_synonyms(dir);
	if (rc == KK_ENOMEM || rc == KK_E2BIG) /* E2BIG: a text buffer cap, i.e. a bug here */
		kk_error("gen", "%s: generation failed: %s", dir, kk_err_name(rc));

	kk_buf_fini(&g->title);
	kk_buf_fini(&g->inner);
	kk_buf_fini(&g->scratch);
	kk_buf_fini(&g->body);
	kk_buf_fini(&g->line);
	free(g);
	return rc;
}
