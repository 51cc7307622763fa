"""Languages of the workbench: Chinese by default, English on request (`?lang=en`, kept in a
cookie). Rule and vocabulary texts come from the rule files' zh/en fields; this table holds
only the chrome of the pages (titles, buttons, labels)."""

from fastapi import Request

from engine import default_rulebook
from engine.vocabulary import load_vocabulary

LANGS = ("zh", "en")
LANG_COOKIE = "sbx_lang"

CHROME: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app": ("监管沙盒工作台", "Regulatory sandbox workbench"),
    "signin": ("登录", "Sign in"),
    "signout": ("退出", "Sign out"),
    "api_key": ("API 密钥", "API key"),
    "api_key_hint": ("用 sandbox keys create 生成的密钥", "a key made with sandbox keys create"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "role": ("角色", "Role"),
    "role_regulator": ("监管部门", "regulator"),
    "role_platform": ("平台", "platform"),
    "role_auditor": ("审计", "auditor"),
    "home": ("首页", "Home"),
    "assess": ("自评估", "Self-assessment"),
    "assess_nav": ("评估", "Assess"),
    "cases": ("案件", "Cases"),
    "language": ("语言", "Language"),
    "bad_key": ("API 密钥无效或已吊销", "the API key is unknown or revoked"),
    "session_ended": ("会话已结束,请重新登录", "the session has ended; sign in again"),
    "csrf": ("表单令牌缺失或错误,请求已拒绝", "the form token is missing or wrong; the request is refused"),
    "forbidden": ("无权执行此操作", "you may not do this"),
    "not_found": ("未找到", "not found"),
    "error": ("错误", "Error"),
    "back_home": ("返回首页", "Back to the home page"),
    "welcome": ("欢迎使用监管沙盒工作台", "Welcome to the regulatory sandbox workbench"),
    "skip": ("跳到正文", "Skip to content"),
    "unrated": ("未评级", "unrated"),
    "mlps_none": ("未定级", "none"),
    "mlps_level": ("第{n}级", "level {n}"),
    "basic": ("基本信息", "The platform"),
    "assess_intro": (
        "填写平台信息,或粘贴/上传 JSON 或 YAML 文件。校验与命令行 sandbox assess 相同。",
        "Fill in the platform, or paste or upload a JSON or YAML profile; "
        "it is checked as `sandbox assess` checks it.",
    ),
    "paste": ("粘贴 JSON 或 YAML(填写后忽略上面的表格)", "Paste JSON or YAML (replaces the form above)"),
    "upload": (
        "上传 JSON 或 YAML 文件(上传后忽略上面的表格)",
        "Upload a JSON or YAML file (replaces the form)",
    ),
    "or_document": ("或者提交一份文件", "Or submit a document"),
    "submit_assess": ("评估", "Assess"),
    "multi_hint": (
        "可多选:按住 Ctrl 或 Shift 键并用方向键或空格选择",
        "Several may be chosen: Ctrl or Shift with arrows or space",
    ),
    "errors_found": ("表单有误,请查看标出的字段", "The form has errors; see the marked fields"),
    "document_errors": ("文件有误", "The document has errors"),
    "result": ("评估结果", "Assessment result"),
    "tier": ("监管层级", "Tier"),
    "decisive": ("决定规则", "Decided by"),
    "intensity": ("监管强度", "Intensity"),
    "ratio": ("抽查比例", "inspection ratio"),
    "credit_class": ("有效信用分类", "Effective credit class"),
    "grade": ("平台等级", "Platform grade"),
    "observation_ends": ("观察期届满", "Observation period ends"),
    "ruleset": ("规则版本", "Ruleset"),
    "obligations": ("义务", "Obligations"),
    "no_obligations": ("无", "none"),
    "reasons": ("理由", "Reasons"),
    "measure": ("措施", "measure"),
    "rule": ("规则", "rule"),
    "seed_clause": ("依据条款", "Seed clause"),
    "law": ("法律依据", "Law"),
    "guidance": ("指引", "Guidance"),
    "why_not": ("为何不能适用较轻层级", "Why not a lighter tier"),
    "held_by": ("受以下规则约束", "held by"),
    "reachable": ("可通过平台可控的改变达到", "reachable by changes within the platform's control"),
    "unreachable": (
        "无法通过平台可控的改变达到",
        "cannot be reached by changes within the platform's control",
    ),
    "changes": (
        "平台可以采取的最小改变(均已由引擎验证)",
        "The smallest changes within the platform's control (each checked on the engine)",
    ),
    "no_changes": (
        "平台可控范围内的改变均不影响层级或义务",
        "nothing within the platform's control changes the tier or an obligation",
    ),
    "goal_tier": ("达到{x}层级", "to reach tier {x}"),
    "goal_drop": ("免除义务{x}", "to drop obligation {x}"),
    "then": ("结果", "then"),
    "partial": (
        "搜索已达上限:{n}次评估;可能还有其他方案",
        "search stopped at its limits: {n} evaluations; there may be more",
    ),
    "controllable": ("平台可控", "within the platform's control"),
    "not_controllable": ("平台不可控", "outside the platform's control"),
    "recorded_as": ("已记录为决定", "Recorded as decision"),
    "kind_self_assessment": ("自评估", "self-assessment"),
    "kind_regulatory": ("监管决定", "regulatory decision"),
    "record_hash": ("记录哈希", "Record hash"),
    "open_decision": ("查看决定", "Open the decision"),
    "case": ("案件", "case"),
    "record_as": ("记录为", "Record as"),
    "search": ("搜索", "Search"),
    "search_label": ("名称或统一社会信用代码", "Name or USCC"),
    "filter_tier": ("监管层级", "Tier"),
    "any_tier": ("全部", "any"),
    "review_due": ("仅显示到期待复核", "Review due only"),
    "found": ("共 {n} 个案件", "{n} cases"),
    "no_cases": ("没有符合条件的案件", "No case matches"),
    "name": ("名称", "Name"),
    "uscc": ("统一社会信用代码", "USCC"),
    "decisions": ("决定数", "Decisions"),
    "latest": ("最新决定", "Latest decision"),
    "as_of": ("评估日期", "Assessment date"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page_of": ("第 {p} / {n} 页", "page {p} of {n}"),
    "history": ("决定记录", "Decision history"),
    "actor": ("作出人", "Actor"),
    "recorded_at": ("记录时间", "Recorded at"),
    "reassess": ("按现行规则重新评估", "Reassess under the rules in force"),
    "record_decision": ("记录监管决定", "Record a regulatory decision"),
    "record_intro": (
        "以本案最新的平台信息评估并记录为监管决定。",
        "Assess the case's latest input and record it as a regulatory decision.",
    ),
    "decision_no": ("决定", "Decision"),
    "kind": ("类型", "Kind"),
    "prev_hash": ("前一记录哈希", "Previous record hash"),
    "engine_version": ("引擎版本", "Engine version"),
    "reassesses": ("重新评估自", "Reassesses"),
    "notice": ("监管决定书", "Decision notice"),
    "print_notice": ("打印决定书", "Print the notice"),
    "print": ("打印", "Print"),
    "input": ("评估所用平台信息", "The input assessed"),
    "no_notice": ("自评估没有监管决定书", "a self-assessment has no decision notice"),
    "notice_org": ("平台经济监管沙盒", "Platform economy regulatory sandbox"),
    "notice_no": ("沙盒监决〔{y}〕第{n}号", "Sandbox decision ({y}) no. {n}"),
    "party": ("当事人", "Party"),
    "notice_basis": (
        "依据《浙江省平台经济健康发展行动计划(2020-2022)》相关措施及规则版本 {r},经评估,决定如下:",
        "Under the measures of the action plan and ruleset release {r}, after assessment, it is decided:",
    ),
    "line_tier": ("一、监管层级", "1. Tier"),
    "line_intensity": ("二、监管强度", "2. Intensity"),
    "line_credit_class": ("三、有效信用分类", "3. Effective credit class"),
    "line_platform_grade": ("四、平台等级", "4. Platform grade"),
    "line_observation": ("五、观察期", "5. Observation period"),
    "until": ("至 {d} 届满", "ends on {d}"),
    "not_applicable": ("不适用({tier})", "not applicable ({tier})"),
    "notice_obligations": ("应当履行的义务", "Obligations to fulfil"),
    "notice_reasons": ("理由", "Reasons"),
    "notice_record": ("记录与复核信息", "Record and verification"),
    "release_hash": ("规则版本哈希", "Release hash"),
    "decided_on": ("决定日期", "Date of decision"),
    "signature": ("签章", "Signature"),
    "unsigned": ("(未签章)", "(not signed)"),
}


def lang_of(request: Request) -> str:
    """The page language: `?lang=` first, then the cookie, then Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return asked if asked in LANGS else "zh"


# More chrome tables: a page module may append its own (e.g. `TABLES.append(AUDIT_TEXTS)` at
# import), so that pages added later need not edit CHROME. Looked up in order.
TABLES: list[dict[str, tuple[str, str]]] = [CHROME]


class Texts:
    """What templates call as `t("key")`, plus the rule files' names of codes and outcomes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str) -> str:
        table = next((t for t in TABLES if key in t), CHROME)
        zh, en = table[key]
        return zh if self.lang == "zh" else en

    def field(self, path: str) -> str:
        """A profile field's (or group's) label."""
        zh, en = FIELD_LABELS[path]
        return zh if self.lang == "zh" else en

    def choice(self, path: str, value: str) -> str:
        """An enumerated value of a profile field as the reader of the language knows it."""
        if value == "":
            return self("unrated")
        if path == "security.mlps_level":
            return self("mlps_none") if value == "0" else self("mlps_level").format(n=value)
        if self.lang == "zh":
            return load_vocabulary().zh.get(path, {}).get(value, value)
        return value

    def pick(self, text: object) -> str:
        """The language's side of a {zh, en} text (a dict or an object with zh/en attributes)."""
        if isinstance(text, dict):
            return str(text.get(self.lang) or text.get("en") or "")
        return str(getattr(text, self.lang, "") or getattr(text, "en", ""))

    def term(self, kind: str, code: str) -> str:
        """A format, activity or licence code's name from rules/vocabulary.yaml."""
        found = load_vocabulary().terms(kind).get(code)
        return code if found is None else (found.zh if self.lang == "zh" else found.en)

    def outcome(self, fact: str, value: str | None) -> str:
        """A tier, grade or intensity level as rules/outcomes.yaml names it in Chinese."""
        if value is None:
            return "—"
        if self.lang == "en":
            return value
        return default_rulebook().outcomes.zh_labels().get(fact, {}).get(value, value)


# The profile contract's fields (POLICY §3) and groups, as the form labels them.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("平台名称", "Platform name"),
    "uscc": ("统一社会信用代码", "Unified social credit code (USCC)"),
    "assessment_date": ("评估日期(YYYY-MM-DD,留空为今天)", "Assessment date (YYYY-MM-DD; empty: today)"),
    "launch_date": ("上线日期(YYYY-MM-DD,留空为尚未上线)", "Launch date (YYYY-MM-DD; empty: not launched)"),
    "formats": ("经营业态", "Business formats"),
    "new_format_description": ("新业态说明(选择目录外新业态时必填)", "New format description (for unlisted)"),
    "activities": ("经营活动", "Activities"),
    "licences": ("持有的有效许可", "Valid licences held"),
    "risk": ("风险", "Risk"),
    "risk.health_or_life_safety": ("涉及公众健康或生命安全", "Touches health or life safety"),
    "risk.handles_public_funds": ("吸收或归集公众资金", "Takes in or pools public funds"),
    "risk.minors_targeted": ("面向未成年人", "Services aimed at minors"),
    "risk.potential_harm": ("潜在严重危害", "Potential for serious harm"),
    "scale": ("规模", "Scale"),
    "scale.annual_active_users": ("年活跃用户数", "Annual active users"),
    "scale.market_value_cny": ("市值或最近估值(元)", "Market value or last valuation (CNY)"),
    "scale.core_business_types": ("核心业务类型数", "Core business types"),
    "scale.registered_users": ("注册用户数", "Registered users"),
    "scale.monthly_active_users": ("月活跃用户数", "Monthly active users"),
    "credit": ("信用", "Credit"),
    "credit.class": ("信用风险分类", "Credit-risk class"),
    "credit.on_serious_dishonesty_list": ("列入严重违法失信名单", "On the serious dishonesty list"),
    "credit.on_abnormal_operations_list": ("列入经营异常名录", "On the abnormal operations list"),
    "credit.violations_24m": ("近24个月行政处罚次数", "Administrative penalties, last 24 months"),
    "security": ("网络安全", "Security"),
    "security.mlps_level": ("网络安全等级保护定级", "MLPS level filed"),
    "security.log_retention_days": ("网络日志留存天数", "Days network logs are kept"),
    "security.real_name_verification": ("用户网络实名登记", "Users registered under real names"),
    "security.network_filing": ("已办理公安联网备案", "Network filing with public security done"),
    "participants": ("参与者权益", "Participants"),
    "participants.identity_verification": ("服务提供者身份认证", "Providers are identity-verified"),
    "participants.two_way_rating": ("双向评价", "Providers and users rate each other"),
    "participants.complaint_channel": ("投诉举报渠道", "Complaint and reporting channel"),
    "participants.entry_exit_rules": ("公开进入和退出规则", "Published entry and exit rules"),
}
