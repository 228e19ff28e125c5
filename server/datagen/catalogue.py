"""Names, texts and weights the generated academy is drawn from (realistic, not real)."""

from __future__ import annotations

from server.projects.vocabulary import ProjectState, RiskCategory, SensitiveField

# Branch academies by region; past the list, numbered ones.
BRANCH_CITIES = [
    ("沈阳", "Shenyang"),
    ("长春", "Changchun"),
    ("南京", "Nanjing"),
    ("武汉", "Wuhan"),
    ("广州", "Guangzhou"),
    ("成都", "Chengdu"),
    ("昆明", "Kunming"),
    ("西安", "Xi'an"),
    ("兰州", "Lanzhou"),
    ("新疆", "Xinjiang"),
    ("合肥", "Hefei"),
    ("重庆", "Chongqing"),
]

DISCIPLINES = [
    ("物理", "Physics"),
    ("化学", "Chemistry"),
    ("材料科学", "Materials Science"),
    ("计算技术", "Computing Technology"),
    ("自动化", "Automation"),
    ("微电子", "Microelectronics"),
    ("光学精密机械", "Optics and Precision Mechanics"),
    ("生物物理", "Biophysics"),
    ("遗传与发育生物学", "Genetics and Developmental Biology"),
    ("药物", "Materia Medica"),
    ("能源", "Energy"),
    ("生态环境", "Eco-Environmental Sciences"),
    ("海洋", "Oceanology"),
    ("大气物理", "Atmospheric Physics"),
    ("声学", "Acoustics"),
    ("力学", "Mechanics"),
    ("信息工程", "Information Engineering"),
    ("软件", "Software"),
    ("地理科学与资源", "Geographic Sciences and Natural Resources"),
    ("植物", "Botany"),
]

RESEARCH_TOPICS = [
    "量子调控",
    "新型储能材料",
    "高性能计算",
    "智能感知",
    "基因调控网络",
    "蛋白质结构",
    "极端环境装备",
    "先进制造工艺",
    "空间探测载荷",
    "海洋观测系统",
    "碳中和技术路径",
    "脑机接口",
    "大模型训练与评测",
    "医学影像分析",
    "无人系统协同",
    "集成电路设计",
    "高端光刻工艺",
    "合成生物学",
    "气候变化模拟",
    "工业软件",
]
PROJECT_KINDS = ["关键技术研究", "应用示范", "前沿探索", "平台建设", "工程化验证", "基础研究"]
FUNDING_SOURCES = [
    "院先导专项",
    "国家重点研发计划",
    "国家自然科学基金",
    "院重点部署项目",
    "横向合作",
]
HQ_DEPARTMENTS = ["前沿科学与教育局", "重大科技任务局", "国际合作局", "科技基础能力局"]

# Project states: share of the portfolio (percent) and age at creation, in days before today.
STATE_MIX: dict[ProjectState, tuple[float, int, int]] = {
    ProjectState.DRAFT: (6.0, 0, 180),
    ProjectState.SUBMITTED: (4.0, 7, 120),
    ProjectState.RETURNED: (2.0, 14, 200),
    ProjectState.REJECTED: (2.0, 30, 700),
    ProjectState.APPROVED: (4.0, 20, 200),
    ProjectState.FILING: (1.0, 30, 200),
    ProjectState.IMPLEMENTING: (38.0, 60, 1500),
    ProjectState.SUSPENDED: (1.5, 120, 1500),
    ProjectState.OUTCOME: (10.0, 365, 1800),
    ProjectState.CLOSING: (3.5, 500, 1900),
    ProjectState.CLOSED: (25.0, 700, 2200),
    ProjectState.TERMINATED: (3.0, 90, 2000),
}

SENSITIVE_WEIGHTS = {
    SensitiveField.ARTIFICIAL_INTELLIGENCE: 40,
    SensitiveField.MEDICAL_DIAGNOSIS: 15,
    SensitiveField.GENE_EDITING: 12,
    SensitiveField.DRONES: 13,
    SensitiveField.AUTONOMOUS_DRIVING: 10,
    SensitiveField.SERVICE_ROBOTS: 10,
}

# How likely each category has risk points at all (otherwise: not applicable, with a reason).
CATEGORY_APPLICABLE = {
    RiskCategory.CHOKEPOINT: 0.55,
    RiskCategory.SAFETY: 0.8,
    RiskCategory.COMPLIANCE: 0.7,
    RiskCategory.DATA_SECURITY: 0.85,
    RiskCategory.ETHICS: 0.45,
    RiskCategory.PUBLIC_OPINION: 0.6,
    RiskCategory.CONFIDENTIALITY: 0.75,
}
# Likelihood and impact 1..5: most risks are modest.
SCORE_WEIGHTS = [42, 30, 17, 8, 3]

RISK_POINT_TEXT = {
    RiskCategory.CHOKEPOINT: "关键材料依赖进口，供应可能中断",
    RiskCategory.SAFETY: "实验过程涉及高温高压，存在人员伤害风险",
    RiskCategory.COMPLIANCE: "实验动物与生物样本管理需符合相关法规",
    RiskCategory.DATA_SECURITY: "科学数据存储与共享可能导致泄露",
    RiskCategory.ETHICS: "涉及人类受试者数据，需伦理审查",
    RiskCategory.PUBLIC_OPINION: "研究成果可能引发社会误读",
    RiskCategory.CONFIDENTIALITY: "部分技术资料涉及国家秘密",
}
MEASURE_TEXT = [
    "建立双供应商与战略储备",
    "制定操作规程并开展培训",
    "落实分级授权与访问审计",
    "提交伦理委员会审查并定期复核",
    "成果发布前开展保密与舆情审查",
    "配置专人负责并定期检查",
]

# Key foreign dependencies (卡脖子): item, kind, source country, supplier, share with a domestic
# substitute; the first ones are far more common (drawn with falling weights).
DEPENDENCIES: list[tuple[str, str, str, str, float]] = [
    ("高端光刻胶", "material", "日本", "东京应化", 0.1),
    ("EDA设计软件", "technology", "美国", "新思科技", 0.2),
    ("高精度示波器", "equipment", "美国", "是德科技", 0.3),
    ("冷冻电镜", "equipment", "美国", "赛默飞", 0.05),
    ("高纯度靶材", "material", "日本", "日矿金属", 0.25),
    ("GPU加速卡", "equipment", "美国", "英伟达", 0.2),
    ("质谱仪", "equipment", "德国", "布鲁克", 0.3),
    ("工业控制软件", "technology", "德国", "西门子", 0.35),
    ("高端数控系统", "equipment", "日本", "发那科", 0.3),
    ("科学计算软件", "technology", "美国", "MathWorks", 0.4),
    ("超低温制冷机", "equipment", "英国", "牛津仪器", 0.1),
    ("单光子探测器", "equipment", "瑞士", "ID Quantique", 0.15),
    ("碳纤维原丝", "material", "日本", "东丽", 0.4),
    ("高端轴承", "material", "瑞典", "斯凯孚", 0.45),
    ("基因测序仪", "equipment", "美国", "因美纳", 0.35),
    ("细胞培养基", "material", "美国", "赛默飞", 0.5),
    ("有限元分析软件", "technology", "美国", "Ansys", 0.3),
    ("飞秒激光器", "equipment", "德国", "通快", 0.2),
    ("特种气体", "material", "美国", "空气化工", 0.45),
    ("光刻机", "equipment", "荷兰", "阿斯麦", 0.02),
    ("高端FPGA芯片", "material", "美国", "赛灵思", 0.25),
    ("原子力显微镜", "equipment", "美国", "布鲁克", 0.3),
    ("同位素标准物质", "material", "俄罗斯", "某研究机构", 0.5),
    ("高速ADC芯片", "material", "美国", "亚德诺", 0.2),
]

HAZARD_TITLES = [
    "通风系统故障",
    "危化品台账不全",
    "数据未加密存储",
    "外协人员未签保密协议",
    "实验记录缺失",
    "防护设备过期",
    "样本存放不规范",
    "服务器访问权限过宽",
    "宣传稿件未经审查",
    "进口设备维保中断",
]
INCIDENT_TITLES = [
    "实验室火情",
    "样本泄漏",
    "数据泄露事件",
    "网络舆情事件",
    "设备损坏事故",
    "人员受伤事故",
    "涉密材料遗失",
]
PLACES = ["一号实验楼", "中心实验室", "野外观测站", "数据中心", "中试基地"]
