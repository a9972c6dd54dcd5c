"""Case-study texts of the four model enterprises of the source document (clean Simplified Chinese,
with an English version), and short synthetic ones for demo enterprises.

The four texts stay faithful to the source: they say what it says and nothing more.
"""

from __future__ import annotations

from seed_data import facts

SOURCE_CASES: dict[str, dict[str, str]] = {
    facts.DEYUN: {
        "headline_zh": "改制后先建党总支、后建工会，党工组织成为全区的一面旗帜",
        "headline_en": "Set up its Party general branch first and its union after restructuring; a flagship of the district",
        "story_zh": (
            "吉林德运公司是全区改制比较早的非公骨干企业。改制后先建党总支，后建工会。"
            "党工组织都成为全区的一面旗帜，曾在市、区各类会议上多次介绍经验。"
            "企业党总支被区委评为先进基层党组织，企业被评为市级先进企业，"
            "企业工会被省、市总工会命名为省级模范职工之家、市级五星级样板职代会。\n\n"
            "党工组织十分注重丰富活动载体，以党组织出题目、工会作文章。"
            "德运公司工会每年都制订活动计划，由党总支讨论决定，在时间、人力、财力上给予支持，"
            "工会活动计划在职工之家活动室里列表上墙，按计划举办：春夏季的消夏晚会、水球赛、钓鱼赛、登山赛；"
            "秋冬季的联欢会、拔河赛、运动会、台球赛、雪地足球赛；“三八”女职工委员会举行包饺子比赛；"
            "围绕企业提高产品质量这一课题，开展提高产品质量论文比赛。"
        ),
        "story_en": (
            "Jilin Deyun Company is one of the district's backbone non-public enterprises and was restructured early. "
            "After restructuring it first set up a Party general branch and then a trade union. Both became a flagship "
            "for the district and have repeatedly presented their experience at municipal and district meetings. "
            "The general branch was named an Advanced Grassroots Party Organisation by the district Party committee, "
            "the enterprise a municipal Advanced Enterprise, and the union a provincial Model Workers' Home and a "
            "municipal Five-Star Model Workers' Congress by the provincial and municipal federations of trade unions.\n\n"
            "The Party organisation sets the theme and the union does the work. Every year the union drafts an activity "
            "plan that the general branch discusses and supports with time, people and money; the plan hangs on the "
            "wall of the Workers' Home and is carried out as planned: summer evening parties, water polo, fishing and "
            "hill-climbing contests in spring and summer; gatherings, tug-of-war, a sports meeting, billiards and snow "
            "football in autumn and winter; a dumpling-making contest by the women workers' committee on 8 March; and an "
            "essay contest on improving product quality."
        ),
    },
    facts.HENGTONG: {
        "headline_zh": "继德运公司之后，党工组织迈入先进行列",
        "headline_en": "After Deyun, its Party and union organisations joined the advanced ranks",
        "story_zh": (
            "在典型带动下，继德运公司以后，吉林市恒通高压电气有限责任公司的党工组织迈入先进行列。"
        ),
        "story_en": (
            "Following the example of Deyun, the Party and union organisations of Jilin Hengtong High-Voltage "
            "Electric Co., Ltd. joined the district's advanced ranks."
        ),
    },
    facts.FANGTIAN: {
        "headline_zh": "党工组织迈入先进行列，针对企业特点开展劳动竞赛和技术革新",
        "headline_en": "Joined the advanced ranks; labour competitions and technical innovation suited to the enterprise",
        "story_zh": (
            "继德运公司以后，吉林市方田水泵有限公司的党工组织迈入先进行列。"
            "方田水泵公司针对企业特点开展合理化建议、技术革新、岗位练兵、技术表演、小指标劳动竞赛等活动。"
            "通过开展活动，党组织增强了向心力，工会组织增强了凝聚力，促进了企业发展。"
        ),
        "story_en": (
            "Following Deyun, the Party and union organisations of Jilin Fangtian Water Pump Co., Ltd. joined the "
            "advanced ranks. Suited to the enterprise, it runs rationalisation proposals, technical innovation, on-the-job "
            "skills training, skills demonstrations and small-target labour competitions. Through these activities the "
            "Party organisation gained cohesion, the union gained solidarity, and the enterprise grew."
        ),
    },
    facts.HONGGUANG: {
        "headline_zh": "纯私营企业先建工会、促建党支部，书记主席一肩挑",
        "headline_en": "A purely private firm: the union came first and led to a Party branch; one person is both secretary and chair",
        "story_zh": (
            "在典型的带动下，一批纯私营企业的党工组织工作也跻身于先进行列。"
            "吉林市红光热能设备有限责任公司1999年先建起工会委员会，促进党支部于2001年建起来。"
            "企业老板虽不是党员，但她聘任一位党员任党支部书记兼任工会主席，书记主席一肩挑，"
            "通过开展各具特色活动，既发挥党员先锋模范作用，又维护了职工合法权益，"
            "还通过深入细致的思想工作，向企业老板灌输党的方针政策，增强党的观念，争取支持党工工作开展。"
            "红光热能公司针对企业特点开展合理化建议、技术革新、岗位练兵、技术表演、小指标劳动竞赛等活动。"
        ),
        "story_en": (
            "Following the models, a number of purely private enterprises joined the advanced ranks too. Jilin Hongguang "
            "Thermal Energy Equipment Co., Ltd. set up its union committee first, in 1999, which led to a Party branch in "
            "2001. The owner is not a Party member, but she hired a Party member as branch secretary who is also the "
            "union chair — one person holding both posts. Through distinctive activities the branch lets Party members "
            "set an example, protects the workers' lawful rights, and patiently explains the Party's policies to the "
            "owner to win her support. Suited to the enterprise, it runs rationalisation proposals, technical innovation, "
            "skills training and demonstrations, and small-target labour competitions."
        ),
    },
}

#: Synthetic case studies for fictional demo enterprises: (headline_zh, headline_en, story_zh, story_en)
DEMO_CASE_TEMPLATES = (
    (
        "联合工会带动周边小微企业建会",
        "A joint union brought neighbouring small firms into the union",
        "{name}工会牵头组建区域联合工会，带动周边小微企业职工入会，并由企业党支部书记兼任联合工会主席。（演示数据）",
        "The union of {name} led a regional joint union that brought workers of neighbouring small firms in; the "
        "branch secretary chairs the joint union. (demo data)",
    ),
    (
        "荐优纳新，工会推荐的积极分子成为骨干",
        "The union recommends activists who become the backbone",
        "{name}坚持工会推荐、职工代表评议、党组织培养考察的荐优纳新推评制，近年多名一线职工加入党组织。（演示数据）",
        "{name} follows the recommend-evaluate-develop system: the union recommends, worker representatives evaluate, "
        "the Party organisation develops; several front-line workers have joined the Party in recent years. (demo data)",
    ),
    (
        "双爱双评激发职工和经营者两个积极性",
        "The double-love awards motivate workers and managers alike",
        "{name}连续开展“双爱双评”活动，评选热爱企业的优秀职工和热爱职工的优秀经营者，劳动关系和谐稳定。（演示数据）",
        "{name} runs the double-love awards every year — outstanding workers who love the enterprise and outstanding "
        "managers who care for the workers — and its labour relations are stable. (demo data)",
    ),
)
