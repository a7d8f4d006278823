/*
 * fbgen: a deterministic generator of complete fieldbook repositories, for
 * benchmarks (100k records, 20k commits) and for the project's demo data.
 *
 * What comes out, in --out DIR: schemas/ (copied from --schemas), records/
 * with counties, contacts, visits and assessments, and a git repository whose
 * history is one import commit followed by M small valid edits by a dozen
 * staff members, with increasing author dates over 1402..1404.  The working
 * tree and the index match HEAD, so `git status` is clean.
 *
 * Determinism: every choice comes from one splitmix64 stream seeded by
 * --seed, consumed in a fixed order; nothing reads the clock or the
 * environment, so the same arguments give the same files and the same commit
 * ids (pack files may differ in delta choices, objects never do).
 *
 * Validity: the generator keeps every record as a typed struct and renders it
 * in fieldbook's canonical layout (keys in schema order, 2-space block style,
 * quoting only where YAML 1.2 core would read a plain scalar as something
 * else).  References only point at live records (a contact is deleted only
 * while no visit refers to it), phones come from counters through a
 * bijection so no number is ever shared, periods are computed from dates.
 * The "mess" staff make (Arabic yeh/kaf, Persian digits, 1403-5-2, Gregorian
 * dates, ZWNJ or a space in compound names, comments) is in the values and
 * comments only, never in the layout.
 *
 * Speed: git objects are written straight into an in-memory object database
 * (mempack) and packed once at the end by libgit2's packbuilder, which also
 * finds the deltas between the many versions of the big shard trees.  Trees
 * are kept as our own sorted nodes and serialised directly: a commit rewrites
 * only the trees on the path of the records it touches.  The working tree is
 * written from the object database and the index is built from stat data in
 * path order, with file times set to the last commit so no entry is racy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/commit.h>
#include <git2/sys/mempack.h>

#include <fieldbook/buf.h>
#include <fieldbook/date.h>

#define ZW	   "\u200c" /* ZERO WIDTH NON-JOINER, as in حسین‌زاده */
#define TZ_MINUTES 210	    /* Iran: +03:30 all year since 1401 */

/* ------------------------------------------------------------------ */
/* Pseudo-random numbers: splitmix64, one stream for everything.       */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int rnd_range(int lo, int hi)
{
	return lo + (int)rnd((uint32_t)(hi - lo + 1));
}

/* True with probability pm/1000. */
static bool chance(int pm)
{
	return (int)rnd(1000) < pm;
}

#define PICK(a) ((a)[rnd(FB_ARRAY_SIZE(a))])

/* ------------------------------------------------------------------ */
/* Fixed data: counties, staff, name pools, phrases.                   */

struct district {
	const char *id, *name;
};

struct county_info {
	const char *id, *name, *name_en;
	const struct district *districts;
	int ndistricts;
	int weight; /* share of contacts, visits and assessments */
	const char *governor;
	const char *notes;
	const char *topics[5]; /* local matters, NULL-terminated */
};

/* clang-format off */
/* Districts (bakhsh) as in the 1395 census divisions, less those since made counties. */
static const struct district d_kerman[] = {
	{"markazi", "مرکزی"}, {"chatrud", "چترود"}, {"golbaf", "گلباف"},
	{"mahan", "ماهان"},   {"shahdad", "شهداد"}, {"kuhpayeh", "کوهپایه"},
};
static const struct district d_rafsanjan[] = {
	{"markazi", "مرکزی"}, {"koshkuiyeh", "کشکوئیه"}, {"ferdows", "فردوس"}, {"nuq", "نوق"},
};
static const struct district d_sirjan[] = {
	{"markazi", "مرکزی"}, {"balvard", "بلورد"},   {"pariz", "پاریز"},
	{"zeydabad", "زیدآباد"}, {"golestan", "گلستان"},
};
static const struct district d_jiroft[] = {
	{"markazi", "مرکزی"},
	{"jebalbarez", "جبال" ZW "بارز"},
	{"esfandaqeh", "اسفندقه"},
	{"sardoeiyeh", "ساردوئیه"},
};
static const struct district d_bam[] = {{"markazi", "مرکزی"}, {"baravat", "بروات"}};
static const struct district d_zarand[] = {{"markazi", "مرکزی"}, {"yazdanabad", "یزدان" ZW "آباد"}};
static const struct district d_shahrebabak[] = {{"markazi", "مرکزی"}, {"dehaj", "دهج"}};
static const struct district d_baft[] = {{"markazi", "مرکزی"}, {"khabar", "خبر"}};
static const struct district d_bardsir[] = {
	{"markazi", "مرکزی"}, {"golzar", "گلزار"}, {"lalehzar", "لاله" ZW "زار"}, {"negar", "نگار"},
};
static const struct district d_ravar[] = {{"markazi", "مرکزی"}, {"kuhsaran", "کوهساران"}};
static const struct district d_kuhbanan[] = {{"markazi", "مرکزی"}, {"toghrol-al-jerd", "طغرالجرد"}};
static const struct district d_anar[] = {{"markazi", "مرکزی"}, {"amin-shahr", "امین" ZW "شهر"}};
static const struct district d_rabor[] = {{"markazi", "مرکزی"}, {"hanza", "هنزا"}};
static const struct district d_fahraj[] = {{"markazi", "مرکزی"}, {"negin-kavir", "نگین کویر"}};
static const struct district d_rigan[] = {{"markazi", "مرکزی"}, {"gonbaki", "گنبکی"}};
static const struct district d_narmashir[] = {{"markazi", "مرکزی"}, {"rud-ab", "رودآب"}};

#define DS(a) a, (int)FB_ARRAY_SIZE(a)

/* Governors are fictional. */
static const struct county_info counties[] = {
	{"kerman", "کرمان", "Kerman", DS(d_kerman), 22, "حمیدرضا صالح" ZW "پور",
	 "مرکز استان؛ بیشترین جمعیت و بیشترین تجمع" ZW "ها مقابل استانداری.",
	 {"آلودگی هوا", "حاشیه" ZW "نشینی", "ترافیک شهری", "گردشگری ماهان و شهداد", NULL}},
	{"rafsanjan", "رفسنجان", "Rafsanjan", DS(d_rafsanjan), 11, "مهدی توکلی",
	 "قطب پسته استان؛ فرونشست دشت رفسنجان جدی است.",
	 {"پسته", "آب کشاورزی", "مس سرچشمه", "فرونشست زمین", NULL}},
	{"sirjan", "سیرجان", "Sirjan", DS(d_sirjan), 10, "علی" ZW "اصغر نیک" ZW "فر",
	 "منطقه ویژه اقتصادی و معادن سنگ" ZW "آهن گل" ZW "گهر.",
	 {"معدن گل" ZW "گهر", "منطقه ویژه اقتصادی", "پسته", "اشتغال بومی", NULL}},
	{"jiroft", "جیرفت", "Jiroft", DS(d_jiroft), 10, "سید محمد حسینی" ZW "فر",
	 "قطب کشاورزی جنوب استان؛ خرما و مرکبات.",
	 {"خرما", "مرکبات", "سد جیرفت", "سیل", NULL}},
	{"bam", "بم", "Bam", DS(d_bam), 7, "رضا خسروی" ZW "نیا",
	 NULL, {"خرما", "بازسازی پس از زلزله", "ارگ بم", NULL, NULL}},
	{"zarand", "زرند", "Zarand", DS(d_zarand), 6, "مجید اکبری",
	 "معادن زغال" ZW "سنگ؛ ایمنی کارگران معدن حساس است.",
	 {"معادن زغال" ZW "سنگ", "ایمنی معادن", "آلودگی هوا", NULL, NULL}},
	{"shahr-e-babak", "شهربابک", "Shahr-e Babak", DS(d_shahrebabak), 5, "محمود پاکزاد",
	 "معدن مس میدوک.", {"معدن مس میدوک", "عشایر", "مهاجرت روستاییان", NULL, NULL}},
	{"baft", "بافت", "Baft", DS(d_baft), 5, "ناصر کاویانی", NULL,
	 {"عشایر", "سیب و گردو", "جاده کوهستانی", NULL, NULL}},
	{"bardsir", "بردسیر", "Bardsir", DS(d_bardsir), 5, "یوسف رحمانی", NULL,
	 {"سد صفارود", "عشایر", "مراتع", NULL, NULL}},
	{"ravar", "راور", "Ravar", DS(d_ravar), 3, "کاظم فتحی", NULL,
	 {"معدن سرب و روی", "پسته", "کم" ZW "آبی", NULL, NULL}},
	{"kuhbanan", "کوهبنان", "Kuhbanan", DS(d_kuhbanan), 3, "عباس منصوری", NULL,
	 {"معادن", "آب شرب", "مهاجرت روستاییان", NULL, NULL}},
	{"anar", "انار", "Anar", DS(d_anar), 3, "حسن شاکری", NULL,
	 {"پسته", "آب کشاورزی", "فرونشست زمین", NULL, NULL}},
	{"rabor", "رابر", "Rabor", DS(d_rabor), 3, "جواد کهن" ZW "سال", NULL,
	 {"سیب و گردو", "عشایر", "گردشگری", NULL, NULL}},
	{"fahraj", "فهرج", "Fahraj", DS(d_fahraj), 3, "سعید نارویی", NULL,
	 {"ریزگردها", "قاچاق سوخت", "خرما", "امنیت جاده" ZW "ها", NULL}},
	{"rigan", "ریگان", "Rigan", DS(d_rigan), 3, "ابراهیم ریگی" ZW "نژاد",
	 "مرز با سیستان و بلوچستان؛ ریزگردها و قاچاق سوخت.",
	 {"ریزگردها", "قاچاق سوخت", "امنیت جاده" ZW "ها", "بیکاری", NULL}},
	{"narmashir", "نرماشیر", "Narmashir", DS(d_narmashir), 3, "مصطفی دهقانی", NULL,
	 {"خرما", "قاچاق سوخت", "ریزگردها", "کم" ZW "آبی", NULL}},
};
#define NCOUNTY ((int)FB_ARRAY_SIZE(counties))

/* New governors appointed in the second half of 1403 (fictional). */
static const struct governor_change {
	const char *county;
	int jy, jm, jd;
	const char *name;
} governor_changes[] = {
	{"zarand", 1403, 7, 21, "سجاد امیری" ZW "فر"},
	{"jiroft", 1403, 8, 12, "محسن بهمنی"},
	{"kerman", 1403, 9, 18, "علی رستمی" ZW "زاده"},
	{"bam", 1403, 10, 2, "هادی کرمانی" ZW "پور"},
	{"rigan", 1403, 11, 6, "وحید شه" ZW "بخش"},
};
#define NGOVCHANGE ((int)FB_ARRAY_SIZE(governor_changes))

struct staff {
	const char *fa, *en, *email;
	bool git_fa; /* uses the Persian name in git */
};

/* The office's staff (fictional); also the commit authors. */
static const struct staff staff[] = {
	{"مریم کریمی", "Maryam Karimi", "m.karimi@siasi-kerman.example.org", false},
	{"حمید نوری", "Hamid Nouri", "h.nouri@siasi-kerman.example.org", false},
	{"رضا فرهمند", "Reza Farahmand", "r.farahmand@siasi-kerman.example.org", true},
	{"زهرا موحد", "Zahra Movahed", "z.movahed@siasi-kerman.example.org", false},
	{"سعید انصاری" ZW "نژاد", "Saeed Ansarinejad", "s.ansari@siasi-kerman.example.org", false},
	{"نرگس طاهری", "Narges Taheri", "n.taheri@siasi-kerman.example.org", true},
	{"محسن جلالی", "Mohsen Jalali", "m.jalali@siasi-kerman.example.org", false},
	{"فرشته یزدان" ZW "پناه", "Fereshteh Yazdanpanah", "f.yazdanpanah@siasi-kerman.example.org", false},
	{"امیرحسین کرمانی" ZW "نژاد", "Amirhossein Kermaninejad", "a.kermani@siasi-kerman.example.org",
	 true},
	{"مهدی شجاعی", "Mahdi Shojaei", "m.shojaei@siasi-kerman.example.org", false},
};
#define NSTAFF ((int)FB_ARRAY_SIZE(staff))

struct name {
	const char *fa, *en;
};

static const struct name male_names[] = {
	{"محمد", "mohammad"}, {"علی", "ali"},       {"حسین", "hossein"},     {"رضا", "reza"},
	{"مهدی", "mahdi"},    {"حسن", "hasan"},     {"مجتبی", "mojtaba"},    {"امیر", "amir"},
	{"سعید", "saeed"},    {"جواد", "javad"},    {"مصطفی", "mostafa"},    {"حمید", "hamid"},
	{"محسن", "mohsen"},   {"احمد", "ahmad"},    {"عباس", "abbas"},       {"مرتضی", "morteza"},
	{"ابراهیم", "ebrahim"}, {"اسماعیل", "esmaeil"}, {"یوسف", "yousef"}, {"ناصر", "naser"},
	{"هادی", "hadi"},     {"وحید", "vahid"},    {"مسعود", "masoud"},     {"مجید", "majid"},
	{"داوود", "davoud"},  {"کاظم", "kazem"},    {"سجاد", "sajjad"},      {"میلاد", "milad"},
	{"فرهاد", "farhad"},  {"بهروز", "behrouz"}, {"غلامرضا", "gholamreza"}, {"محمدرضا", "mohammadreza"},
	{"علیرضا", "alireza"}, {"حمیدرضا", "hamidreza"}, {"امیرحسین", "amirhossein"},
	{"محمدعلی", "mohammadali"}, {"یعقوب", "yaghoub"}, {"منصور", "mansour"}, {"کریم", "karim"},
	{"اکبر", "akbar"},
};

static const struct name female_names[] = {
	{"فاطمه", "fatemeh"}, {"زهرا", "zahra"},    {"مریم", "maryam"},   {"معصومه", "masoumeh"},
	{"زینب", "zeynab"},   {"سمیه", "somayeh"},  {"اعظم", "azam"},     {"لیلا", "leila"},
	{"نرگس", "narges"},   {"الهام", "elham"},   {"مهناز", "mahnaz"},  {"فرشته", "fereshteh"},
	{"طاهره", "tahereh"}, {"سارا", "sara"},     {"مینا", "mina"},     {"راضیه", "raziyeh"},
	{"منیره", "monireh"}, {"شهلا", "shahla"},   {"پروین", "parvin"},  {"نسرین", "nasrin"},
	{"رقیه", "roghayeh"}, {"سکینه", "sakineh"},
};

static const struct name last_names[] = {
	{"رضایی", "rezaei"},     {"محمدی", "mohammadi"},  {"حسینی", "hosseini"},   {"احمدی", "ahmadi"},
	{"کریمی", "karimi"},     {"موسوی", "mousavi"},    {"جعفری", "jafari"},     {"رحیمی", "rahimi"},
	{"کاظمی", "kazemi"},     {"صادقی", "sadeghi"},    {"نوری", "nouri"},       {"قاسمی", "ghasemi"},
	{"ابراهیمی", "ebrahimi"}, {"سلطانی", "soltani"},  {"ملکی", "maleki"},      {"اسدی", "asadi"},
	{"شریفی", "sharifi"},    {"باقری", "bagheri"},    {"زارعی", "zarei"},      {"افشار", "afshar"},
	{"ایرانمنش", "iranmanesh"}, {"سالاری", "salari"}, {"شهابی", "shahabi"},    {"عسکری", "askari"},
	{"میرزایی", "mirzaei"},  {"نجفی", "najafi"},      {"یزدانی", "yazdani"},   {"فرهادی", "farhadi"},
	{"بهرامی", "bahrami"},   {"انصاری", "ansari"},    {"امیری", "amiri"},      {"خواجویی", "khajouei"},
	{"ریاحی", "riahi"},      {"سنجری", "sanjari"},    {"مهدوی", "mahdavi"},    {"طاهری", "taheri"},
	{"کامیاب", "kamyab"},    {"نیکپور", "nikpour"},   {"راوری", "ravari"},     {"زرندی", "zarandi"},
	{"شهسواری", "shahsavari"}, {"دهقان", "dehghan"},  {"برزگر", "barzegar"},   {"کشاورز", "keshavarz"},
	{"اربابی", "arbabi"},    {"ناصری", "naseri"},     {"حیدری", "heydari"},    {"پورکاظمی", "pourkazemi"},
};

/* Compound family names, written with ZWNJ; staff also type them with a space. */
static const struct name compound_names[] = {
	{"حسین" ZW "زاده", "hosseinzadeh"},  {"علی" ZW "زاده", "alizadeh"},
	{"حسن" ZW "زاده", "hasanzadeh"},     {"رضایی" ZW "نژاد", "rezaeinejad"},
	{"محمدی" ZW "پور", "mohammadipour"}, {"کریمی" ZW "نسب", "kariminasab"},
	{"جعفری" ZW "نیا", "jafarinia"},     {"امیری" ZW "مقدم", "amirimoghaddam"},
	{"شریف" ZW "زاده", "sharifzadeh"},   {"قاسم" ZW "پور", "ghasempour"},
	{"ابراهیم" ZW "نژاد", "ebrahimnejad"}, {"نصیری" ZW "پور", "nasiripour"},
	{"کرمانی" ZW "نژاد", "kermaninejad"}, {"عباس" ZW "زاده", "abbaszadeh"},
};

/* Generic village names found all over Iran. */
static const char *const villages[] = {
	"حسین" ZW "آباد", "علی" ZW "آباد", "محمدآباد", "اکبرآباد", "رحمت" ZW "آباد",
	"نصرت" ZW "آباد", "دولت" ZW "آباد", "شمس" ZW "آباد", "قاسم" ZW "آباد", "ده" ZW "نو",
	"چاه" ZW "شور", "قلعه" ZW "نو", "دهنه", "باغ" ZW "صفا", "جعفرآباد", "امیرآباد",
};

enum role {
	R_FRIDAY, R_IMAM, R_PARTY, R_CIVIL, R_SECURITY, R_CAMPAIGN, R_COUNCIL, R_OFFICIAL, R_OTHER,
	NROLE
};
static const char *const role_names[NROLE] = {
	"friday-prayer-leader", "congregational-imam", "party-member",   "civil-activist",
	"security-council-member", "campaign-staff",   "council-member", "local-official",
	"other",
};
/* Per mille, friday-prayer-leader excluded: every county gets exactly one. */
static const int role_weight[NROLE] = {0, 130, 150, 150, 70, 90, 170, 170, 70};

/* Organizations; {C} stands for the county's name, {D} a district's, {V} a village. */
static const char *const org_imam[] = {
	"مسجد جامع {C}", "مسجد امام حسن مجتبی (ع) {C}", "مسجد صاحب" ZW "الزمان {C}",
	"مسجد حضرت ابوالفضل (ع)", "حسینیه ثارالله {C}", "مسجد جامع روستای {V}",
};
static const char *const org_party[] = {
	"حزب مؤتلفه اسلامی", "حزب اعتماد ملی", "حزب کارگزاران سازندگی",
	"جبهه پایداری انقلاب اسلامی", "حزب اتحاد ملت ایران اسلامی", "حزب ندای ایرانیان",
	"جمعیت ایثارگران انقلاب اسلامی", "حزب مؤتلفه اسلامی، شاخه {C}",
	"حزب اعتماد ملی، دفتر {C}",
};
static const char *const org_civil[] = {
	"انجمن دوستداران محیط زیست {C}", "سمن جوانان {C}", "انجمن حمایت از بیماران خاص",
	"انجمن زنان کارآفرین {C}", "خیریه مدرسه" ZW "سازان {C}", "تشکل آب" ZW "بران روستای {V}",
	"کانون نخل" ZW "داران {C}", "انجمن صنفی پسته" ZW "کاران {C}",
};
static const char *const org_security[] = {
	"شورای تأمین شهرستان {C}", "دادستانی عمومی و انقلاب {C}", "فرماندهی انتظامی {C}",
};
static const char *const org_campaign[] = {
	"ستاد انتخاباتی نامزد مجلس حوزه {C}", "ستاد انتخابات شوراهای {C}",
	"ستاد مردمی انتخابات ریاست جمهوری در {C}",
};
static const char *const org_council[] = {
	"شورای اسلامی شهر {C}", "شورای اسلامی شهر {C}", "شورای اسلامی بخش {D}",
	"شورای اسلامی روستای {V}",
};
static const char *const org_official[] = {
	"فرمانداری {C}",         "بخشداری {D}",         "شهرداری {C}",
	"اداره جهاد کشاورزی {C}", "اداره آب و فاضلاب {C}", "آموزش و پرورش {C}",
	"شبکه بهداشت و درمان {C}", "اداره راه و شهرسازی {C}", "دهیاری {V}",
};
static const char *const org_other[] = {
	"اتاق بازرگانی کرمان", "دانشگاه آزاد اسلامی واحد {C}", "کانون بازنشستگان {C}",
	"بنیاد مسکن {C}", "هیئت" ZW "امنای مسجد جامع {C}", "اتحادیه صنف نانوایان {C}",
	"خبرنگار محلی",
};

static const char *const general_topics[] = {
	"کم" ZW "آبی", "اشتغال جوانان", "جاده" ZW "های روستایی", "ریزگردها", "قاچاق سوخت",
	"انتخابات شوراها", "مسکن مهر", "گازرسانی روستایی", "برق کشاورزی", "فرونشست زمین",
	"خشکسالی", "حاشیه" ZW "نشینی", "اعتیاد", "مدارس فرسوده", "کمبود پزشک متخصص",
	"مهاجرت روستاییان", "وام اشتغال", "قیمت نهاده" ZW "های کشاورزی", "اینترنت روستاها",
	"انتخابات مجلس", "مطالبات بازنشستگان", "آب شرب", "بیمه کشاورزان", "تعاونی" ZW "های روستایی",
	"ایثارگران", "صنایع تبدیلی", "معادن", "خرما", "پسته",
};

static const char *const issue_titles[] = {
	"قطعی مکرر آب شرب در روستاهای بخش {D}",
	"کاهش سطح آب چاه" ZW "های کشاورزی {C}",
	"تأخیر در تکمیل جاده روستای {V}",
	"بیکاری فارغ" ZW "التحصیلان دانشگاهی در {C}",
	"نارضایتی نخل" ZW "داران از قیمت خرید خرما",
	"نبود خریدار تضمینی برای پسته",
	"تعطیلی مدارس {C} به دلیل ریزگردها",
	"افزایش قاچاق سوخت در محورهای {C}",
	"اختلاف اعضای شورای شهر {C} بر سر انتخاب شهردار",
	"نیمه" ZW "تمام ماندن واحدهای مسکن مهر {C}",
	"کمبود پزشک متخصص در بیمارستان {C}",
	"قطعی برق چاه" ZW "های کشاورزی در تابستان",
	"گازرسانی نشدن به روستای {V}",
	"فرونشست زمین در دشت {C}",
	"تجمع کارگران معدن برای مطالبات معوق",
	"مطالبات معوق پیمانکاران طرح" ZW "های عمرانی",
	"تخریب مدرسه فرسوده در روستای {V}",
	"نبود اینترنت پایدار در روستاهای بخش {D}",
	"ناامنی جاده" ZW "های {C} در شب",
	"شکایت اهالی از گردوغبار معدن",
	"کمبود نهاده" ZW "های دامی برای عشایر",
	"درخواست ارتقای بخش {D} به شهرستان",
	"تأخیر در پرداخت خسارت سیل",
	"گسترش اعتیاد در حاشیه شهر {C}",
	"کمبود معلم در مدارس روستایی",
	"کمبود آمبولانس در جاده" ZW "های {C}",
};

static const char *const followup_actions[] = {
	"پیگیری موضوع از طریق معاونت عمرانی استانداری",
	"ارسال گزارش به معاون سیاسی، امنیتی و اجتماعی استاندار",
	"هماهنگی جلسه با مدیرکل آب و فاضلاب استان",
	"استعلام از فرمانداری {C}",
	"دعوت از مخاطبان به نشست استانی",
	"پیگیری درخواست اعتبار از سازمان مدیریت و برنامه" ZW "ریزی",
	"تهیه گزارش میدانی برای جلسه شورای تأمین استان",
	"هماهنگی بازدید مدیرکل راه و شهرسازی از روستای {V}",
	"پیگیری پرونده در اداره کل منابع طبیعی",
	"تماس با نماینده حوزه انتخابیه {C}",
	"ارسال نامه به شرکت توزیع برق جنوب استان",
	"تشکیل کارگروه اشتغال با حضور بخشدار {D}",
	"پیگیری وضعیت خسارت کشاورزان از جهاد کشاورزی",
};

static const char *const places[] = {
	"دفتر امام جمعه", "فرمانداری {C}", "مسجد جامع {C}", "محل کار ایشان",
	"روستای {V}", "بخشداری {D}", "دفتر حزب", "شورای شهر {C}",
};

static const char *const event_names[] = {
	"جلسه شورای اداری شهرستان", "مراسم افتتاح طرح آبرسانی", "همایش تجلیل از خیرین مدرسه" ZW "ساز",
	"جلسه شورای تأمین شهرستان", "مراسم گرامیداشت شهدا", "نشست هم" ZW "اندیشی فعالان مدنی",
	"جشنواره برداشت خرما", "همایش بانوان فعال روستایی",
};

static const char *const summary_tails[] = {
	"؛ ایشان خواستار حضور مسئولان استانی در منطقه شد.",
	"؛ از کندی پیگیری" ZW "ها گلایه داشت.",
	"؛ فضای جلسه مثبت بود.",
	"؛ قرار شد گزارش مکتوب بفرستد.",
	"؛ نسبت به پیامدهای اجتماعی موضوع هشدار داد.",
	".",
	".",
	"؛ پیشنهاد برگزاری نشست مشترک با فرماندار مطرح شد.",
};

static const char *const observations[] = {
	"برداشت کارشناس: فضای عمومی منطقه نسبت به وعده" ZW "های مسئولان بدبین است.",
	"ایشان از عملکرد فرماندار رضایت نسبی داشت.",
	"پیشنهاد شد موضوع در جلسه شورای تأمین استان مطرح شود.",
	"نگرانی اصلی اهالی، تأمین آب در تابستان است.",
	"در انتخابات پیش رو احتمال کاهش مشارکت وجود دارد.",
	"برداشت کارشناس: موضوع ظرفیت تبدیل شدن به تجمع را دارد.",
	"چند نفر از معتمدان محلی هم در جلسه حضور داشتند.",
};

static const char *const contact_notes[] = {
	"از معتمدان محلی؛ در انتخابات شوراها نقش فعالی داشت.",
	"از طریق فرمانداری معرفی شد.",
	"ارتباط خوبی با نماینده حوزه دارد.",
	"در جلسات شورای اداری حضور منظم دارد.",
	"منتقد عملکرد دستگاه" ZW "های اجرایی در حوزه آب است.",
	"سابقه فعالیت در ستاد انتخاباتی دوره قبل.",
	"پیگیر مسائل کشاورزان منطقه است.",
	"بازنشسته آموزش و پرورش؛ در میان جوانان محبوب است.",
	"در شبکه" ZW "های اجتماعی محلی پرمخاطب است.",
	"با خیرین مدرسه" ZW "ساز همکاری نزدیک دارد.",
};

static const char *const preferences[] = {
	"دیدار صبح" ZW "ها پیش از ساعت ۱۰ را ترجیح می" ZW "دهد.",
	"به انتقاد علنی حساس است؛ موضوعات را خصوصی مطرح کنید.",
	"تماس فقط از طریق دفتر ایشان.",
	"روزهای پنجشنبه و جمعه در دسترس نیست.",
	"ترجیح می" ZW "دهد جلسه در مسجد برگزار شود.",
	"با فرماندار فعلی اختلاف نظر دارد؛ در جلسات مشترک دقت شود.",
	"از حضور خبرنگار در جلسه ناخرسند است.",
	"در ماه رمضان فقط بعد از افطار وقت می" ZW "دهد.",
	"پیامک را به تماس تلفنی ترجیح می" ZW "دهد.",
};

/* Tags; a contact also gets one of the county's local matters now and then. */
static const char *const tags[] = {
	"معتمد محلی", "جوانان", "زنان",  "کشاورزی", "انتخابات", "رسانه",    "خیرین",
	"ایثارگران",  "اصناف",  "دانشگاه", "ورزش",   "محیط زیست", "بازاریان",
};

static const char *const strengths[] = {
	"حضور منظم در روستاها و پیگیری طرح" ZW "های آبرسانی.",
	"تعامل خوب با امام جمعه و نماینده حوزه انتخابیه.",
	"مدیریت آرام تجمع کشاورزان و جلوگیری از تنش.",
	"پیشرفت مناسب طرح" ZW "های اشتغال روستایی.",
	"پاسخگویی سریع به مکاتبات استانداری.",
	"جذب اعتبار برای تکمیل جاده" ZW "های روستایی.",
	"ارتباط نزدیک با شوراهای اسلامی بخش.",
	"برگزاری منظم جلسات شورای اداری شهرستان.",
};

static const char *const dehyar_strengths[] = {
	"پیگیری جدی آبرسانی به روستا.",
	"تعامل خوب با شورای اسلامی روستا.",
	"جذب مشارکت خیرین برای ساخت مدرسه.",
	"رسیدگی سریع به خرابی راه روستایی.",
	"حضور دائم در روستا و در دسترس بودن برای اهالی.",
};

static const char *const weaknesses[] = {
	"کندی در پاسخ به مکاتبات استانداری.",
	"ضعف هماهنگی با دستگاه" ZW "های اجرایی شهرستان.",
	"حضور کم در بخش" ZW "های دورافتاده.",
	"اختلاف علنی با اعضای شورای شهر.",
	"پیشرفت کند طرح" ZW "های نیمه" ZW "تمام.",
	"گزارش" ZW "دهی ناقص درباره وضعیت قاچاق سوخت.",
	"بی" ZW "توجهی به مطالبات جوانان و فعالان مدنی.",
	"تأخیر در تشکیل جلسات شورای تأمین.",
};

static const char *const recommendations[] = {
	"برگزاری جلسه ماهانه با بخشداران و دهیاران.",
	"تهیه گزارش فصلی از پیشرفت طرح" ZW "های آبرسانی.",
	"تعامل بیشتر با فعالان مدنی و تشکل" ZW "های جوانان.",
	"حضور هفتگی در یکی از بخش" ZW "ها.",
	"پیگیری ویژه مطالبات کارگران معادن.",
	"هماهنگی بیشتر با دستگاه قضایی در مقابله با قاچاق سوخت.",
	"ارائه برنامه زمان" ZW "بندی" ZW "شده برای طرح" ZW "های نیمه" ZW "تمام.",
};

/* Staff comments, as they type them into files, by the key they sit at. */
static const struct staff_comment {
	const char *key, *text;
} staff_comments[] = {
	{"phones", "شماره دوم را از دفتر فرمانداری گرفتم"},
	{"phones", "فقط صبح" ZW "ها جواب می" ZW "دهد"},
	{"phones", "شماره قبلی خاموش بود"},
	{"influence", "بعد از انتخابات بازبینی شود"},
	{"influence", "برآورد اولیه"},
	{"status", "بازنشسته شده؟ بپرسیم"},
	{"status", "TODO: ایمیل را هم بپرسیم"},
	{"name", "املای نام از کارت ویزیت"},
	{"name", "از طریق دفتر نماینده معرفی شد"},
	{"organization", "سمت جدید؟ بپرسیم"},
	{"organization", "نسخه کاغذی در پرونده هست"},
	{"date", "تاریخ از دفترچه؛ دقیق نیست"},
	{"date", "روز دقیق را بپرسیم"},
	{"contacts", "چند نفر دیگر هم بودند"},
	{"contacts", "فهرست کامل در صورت" ZW "جلسه"},
	{"kind", "نیمی حضوری، نیمی تلفنی"},
	{"follow_ups", "مهلت" ZW "ها با فرمانداری هماهنگ شد"},
	{"follow_ups", "TODO: مسئول پیگیری دوم مشخص شود"},
	{"overall", "بعد از جلسه با معاون بازبینی شود"},
	{"overall", "نمره پیشنهادی"},
	{"subject", "سرپرست است، هنوز حکم ندارد"},
};

static const char *const jalali_months[] = {
	"فروردین", "اردیبهشت", "خرداد", "تیر",  "مرداد", "شهریور",
	"مهر",     "آبان",     "آذر",   "دی",   "بهمن",  "اسفند",
};

/* clang-format on */

static const char *comment_for(const char *key)
{
	size_t i, n = 0, k;

	for (i = 0; i < FB_ARRAY_SIZE(staff_comments); i++)
		n += !strcmp(staff_comments[i].key, key);
	k = rnd((uint32_t)n);
	for (i = 0; i < FB_ARRAY_SIZE(staff_comments); i++)
		if (!strcmp(staff_comments[i].key, key) && !k--)
			return staff_comments[i].text;
	return "TODO";
}

/* ------------------------------------------------------------------ */
/* Strings.                                                            */

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xfmt(const char *fmt, ...)
{
	struct fb_buf b = FB_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	fb_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return fb_buf_detach(&b, NULL);
}

/* A new string: `s` with every `from` replaced by `to`. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct fb_buf b = FB_BUF_INIT;
	size_t flen = strlen(from);
	const char *p;

	while ((p = strstr(s, from))) {
		fb_buf_add(&b, s, (size_t)(p - s));
		fb_buf_puts(&b, to);
		s = p + flen;
	}
	fb_buf_puts(&b, s);
	return fb_buf_detach(&b, NULL);
}

/* Fill a phrase template: {C} county name, {D} district name, {V} village. */
static char *fill(const char *tmpl, int county, int district, const char *village)
{
	const struct county_info *ci = &counties[county];
	const char *dname = ci->districts[district < 0 ? 0 : district].name;
	char *a = replace_all(tmpl, "{C}", ci->name);
	char *b = replace_all(a, "{D}", dname);
	char *c = replace_all(b, "{V}", village ? village : PICK(villages));

	free(a);
	free(b);
	return c;
}

/* ASCII digits to Persian digits (U+06F0..U+06F9). */
static char *persian_digits(const char *s)
{
	struct fb_buf b = FB_BUF_INIT;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			fb_buf_add_utf8(&b, 0x06F0 + (uint32_t)(*s - '0'));
		else
			fb_buf_putc(&b, *s);
	}
	return fb_buf_detach(&b, NULL);
}

/* Persian yeh and keheh to the Arabic letters an Arabic keyboard layout types. */
static char *arabize(const char *s)
{
	char *a = replace_all(s, "ی", "ي");
	char *b = replace_all(a, "ک", "ك");

	free(a);
	return b;
}

/* ------------------------------------------------------------------ */
/* Dates, through the core's calendar arithmetic.                     */

enum date_style { DS_CANON, DS_FA, DS_DASH, DS_SLASH, DS_TEXT, DS_GREG };

static bool opt_mess = true;

static int32_t jday(int y, int m, int d)
{
	return fb_jalali_to_day(y, m, d);
}

static int jyear(int32_t day)
{
	int y, m, d;

	fb_day_to_jalali(day, &y, &m, &d);
	return y;
}

static char *fmt_date(int32_t day, enum date_style st)
{
	int y, m, d;
	char *s, *t;

	if (st == DS_GREG) {
		fb_day_to_gregorian(day, &y, &m, &d);
		return xfmt("%04d-%02d-%02d", y, m, d);
	}
	fb_day_to_jalali(day, &y, &m, &d);
	switch (st) {
	case DS_FA:
		s = xfmt("%04d/%02d/%02d", y, m, d);
		t = persian_digits(s);
		free(s);
		return t;
	case DS_DASH:
		return xfmt("%d-%d-%d", y, m, d);
	case DS_SLASH:
		return xfmt("%d/%d/%d", y, m, d);
	case DS_TEXT:
		s = xfmt("%d %s %d", d, jalali_months[m - 1], y);
		t = persian_digits(s);
		free(s);
		return t;
	default:
		return xfmt("%04d/%02d/%02d", y, m, d);
	}
}

/* How a member of staff writes a date today; Gregorian only where allowed. */
static enum date_style pick_style(bool gregorian_ok)
{
	int r;

	if (!opt_mess)
		return DS_CANON;
	r = (int)rnd(1000);
	if (r < 70)
		return DS_FA;
	if (r < 110)
		return DS_DASH;
	if (r < 140)
		return DS_SLASH;
	if (r < 150)
		return DS_TEXT;
	if (gregorian_ok && r < 175)
		return DS_GREG;
	return DS_CANON;
}

/* Nowruz: the office is closed Farvardin 1..13; holidays 1..4, 12 and 13 have no commits either. */
static bool nowruz(int32_t day, bool holidays_only)
{
	int y, m, d;

	fb_day_to_jalali(day, &y, &m, &d);
	if (m != 1 || d > 13)
		return false;
	return !holidays_only || d <= 4 || d >= 12;
}

/* The first Sunday or Tuesday on or after `day`. */
static int32_t visit_day_from(int32_t day)
{
	while (fb_weekday(day) != 0 && fb_weekday(day) != 2)
		day++;
	return day;
}

/* The last Sunday or Tuesday on or before `day`. */
static int32_t visit_day_before(int32_t day)
{
	while (fb_weekday(day) != 0 && fb_weekday(day) != 2)
		day--;
	return day;
}

static void season_of(int32_t day, int *y, int *q)
{
	int m, d;

	fb_day_to_jalali(day, y, &m, &d);
	*q = (m - 1) / 3 + 1;
}

/* ------------------------------------------------------------------ */
/* The canonical YAML layout (what `fieldbook fmt` writes).            */

static regex_t re_core; /* plain scalars YAML 1.2 core reads as null, bool, int or float */

static void emit_init(void)
{
	static const char core[] = "^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
				   "|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
				   "|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"
				   "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$";

	if (regcomp(&re_core, core, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "fbgen: internal error: bad core-schema regex\n");
		exit(3);
	}
}

/*
 * Whether `s` can be written as a plain scalar: not empty, not read as
 * anything but a string by YAML 1.2 core, no leading indicator, no `: ` or
 * ` #`, no trailing colon, no leading or trailing space, no control
 * characters.
 */
static bool plain_ok(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *p;

	if (!n || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return false;
	if (strstr(s, ": ") || strstr(s, " #"))
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return regexec(&re_core, s, 0, NULL, 0) != 0;
}

static void emit_scalar(struct fb_buf *b, const char *s)
{
	const unsigned char *p;

	if (plain_ok(s)) {
		fb_buf_puts(b, s);
		return;
	}
	fb_buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fb_buf_addf(b, "\\%c", *p);
		else if (*p == '\n')
			fb_buf_puts(b, "\\n");
		else if (*p == '\t')
			fb_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			fb_buf_addf(b, "\\x%02x", *p);
		else
			fb_buf_putc(b, (char)*p);
	}
	fb_buf_putc(b, '"');
}

/* Indentation for a key at column `ind`; `dash` starts a sequence item there. */
static void emit_lead(struct fb_buf *b, int ind, bool dash)
{
	if (dash) {
		fb_buf_addch(b, ' ', (size_t)(ind - 2));
		fb_buf_puts(b, "- ");
	} else {
		fb_buf_addch(b, ' ', (size_t)ind);
	}
}

static void emit_eol(struct fb_buf *b, const char *eol)
{
	if (eol)
		fb_buf_addf(b, "  # %s", eol);
	fb_buf_putc(b, '\n');
}

/* `key: value`, or a literal block for multi-line text (ending in one newline). */
static void emit_kv(struct fb_buf *b, int ind, bool dash, const char *key, const char *val,
		    const char *eol)
{
	const char *p, *nl;

	if (!val)
		return;
	emit_lead(b, ind, dash);
	fb_buf_addf(b, "%s:", key);
	if (!strchr(val, '\n')) {
		fb_buf_putc(b, ' ');
		emit_scalar(b, val);
		emit_eol(b, eol);
		return;
	}
	fb_buf_puts(b, " |");
	emit_eol(b, eol);
	for (p = val; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p) {
			fb_buf_addch(b, ' ', (size_t)ind + 2);
			fb_buf_add(b, p, (size_t)(nl - p));
		}
		fb_buf_putc(b, '\n');
		if (!*nl)
			break;
	}
}

static void emit_kint(struct fb_buf *b, int ind, bool dash, const char *key, int v, const char *eol)
{
	emit_lead(b, ind, dash);
	fb_buf_addf(b, "%s: %d", key, v);
	emit_eol(b, eol);
}

static void emit_key(struct fb_buf *b, int ind, const char *key, const char *eol)
{
	emit_lead(b, ind, false);
	fb_buf_addf(b, "%s:", key);
	emit_eol(b, eol);
}

/* A scalar sequence item whose dash is at column `ind`. */
static void emit_item(struct fb_buf *b, int ind, const char *val, const char *eol)
{
	fb_buf_addch(b, ' ', (size_t)ind);
	fb_buf_puts(b, "- ");
	emit_scalar(b, val);
	emit_eol(b, eol);
}

/* A staff comment: a full line before `key`, or at the end of its line. */
struct note {
	const char *key, *text;
	bool eol;
};

/* Emit the full-line comment that belongs before `key`, or return its end-of-line text. */
static const char *note_at(struct fb_buf *b, int ind, const struct note *n, const char *key)
{
	if (!n->text || strcmp(n->key, key))
		return NULL;
	if (n->eol)
		return n->text;
	fb_buf_addch(b, ' ', (size_t)ind);
	fb_buf_addf(b, "# %s\n", n->text);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Records.                                                            */

enum rtype { T_COUNTY, T_CONTACT, T_VISIT, T_ASSESS };
static const char *const type_dir[] = {"counties", "contacts", "visits", "assessments"};
static const char id_prefix[] = {'?', 'c', 'v', 'a'};

enum { K_INPERSON, K_MEETING, K_PHONE, K_EVENT, NKIND };
static const char *const kind_names[NKIND] = {"in-person", "meeting", "phone", "event"};
static const char *const severity_names[] = {"low", "medium", "high"};
static const char *const issue_status_names[] = {"open", "resolved"};
enum { FU_OPEN, FU_DONE, FU_DROPPED };
static const char *const fu_status_names[] = {"open", "done", "dropped"};
enum { P_FARMANDAR, P_BAKHSHDAR, P_DEHYAR };
static const char *const position_names[] = {"farmandar", "bakhshdar", "dehyar"};
static const char *const score_names[] = {
    "policy_alignment", "responsiveness", "development", "tension_management", "coordination",
};

struct contact {
	char *name, *clean_name; /* as written; as it should be spelled */
	char *org, *email, *first_met, *notes, *prefs;
	char *phones[4];
	const char *tags[3];
	struct note note;
	int refs; /* visits that list this contact */
	int16_t county, district;
	uint8_t role, nphones, ntags, influence; /* influence 0: not given */
	bool active, deleted;
};

struct issue {
	char *title;
	uint8_t severity, status;
};

struct follow_up {
	char *action, *due;
	const char *owner;
	uint8_t status;
};

struct visit {
	char *date, *summary, *next_visit;
	int32_t day;
	int *contacts;
	const char *staff[3];
	const char *topics[4];
	struct issue issues[2];
	struct follow_up fus[2];
	struct note note;
	int16_t county, district;
	uint8_t kind, nstaff, ncontacts, ntopics, nissues, nfus;
};

struct assessment {
	char *subject, *date, *strengths, *weaknesses, *recs;
	const char *assessor;
	int32_t day;
	struct issue issues[2];
	struct note note;
	char period[16];
	int16_t county, district;
	uint8_t position, scores[5], overall, nissues;
};

struct county_state {
	const char *governor, *notes;
};

static void make_id(char *out, size_t n, enum rtype t, int num)
{
	snprintf(out, n, "%c-%04d", id_prefix[t], num);
}

static void render_county(struct fb_buf *b, int ci, const struct county_state *cs)
{
	const struct county_info *c = &counties[ci];
	int i;

	emit_kv(b, 0, false, "id", c->id, NULL);
	emit_kv(b, 0, false, "name", c->name, NULL);
	emit_kv(b, 0, false, "name_en", c->name_en, NULL);
	emit_key(b, 0, "districts", NULL);
	for (i = 0; i < c->ndistricts; i++) {
		emit_kv(b, 4, true, "id", c->districts[i].id, NULL);
		emit_kv(b, 4, false, "name", c->districts[i].name, NULL);
	}
	emit_kv(b, 0, false, "governor", cs->governor, NULL);
	emit_kv(b, 0, false, "notes", cs->notes, NULL);
}

static void render_contact(struct fb_buf *b, int num, const struct contact *c)
{
	const struct note *n = &c->note;
	char id[24];
	int i;

	make_id(id, sizeof(id), T_CONTACT, num);
	emit_kv(b, 0, false, "id", id, note_at(b, 0, n, "id"));
	emit_kv(b, 0, false, "name", c->name, note_at(b, 0, n, "name"));
	emit_kv(b, 0, false, "role", role_names[c->role], note_at(b, 0, n, "role"));
	emit_kv(b, 0, false, "organization", c->org, note_at(b, 0, n, "organization"));
	emit_kv(b, 0, false, "county", counties[c->county].id, NULL);
	if (c->district >= 0)
		emit_kv(b, 0, false, "district", counties[c->county].districts[c->district].id,
			NULL);
	if (c->nphones) {
		const char *eol = note_at(b, 0, n, "phones");
		emit_key(b, 0, "phones", NULL);
		for (i = 0; i < c->nphones; i++)
			emit_item(b, 2, c->phones[i], i == c->nphones - 1 ? eol : NULL);
	}
	emit_kv(b, 0, false, "email", c->email, NULL);
	if (c->influence)
		emit_kint(b, 0, false, "influence", c->influence, note_at(b, 0, n, "influence"));
	if (c->ntags) {
		emit_key(b, 0, "tags", NULL);
		for (i = 0; i < c->ntags; i++)
			emit_item(b, 2, c->tags[i], NULL);
	}
	emit_kv(b, 0, false, "status", c->active ? "active" : "inactive",
		note_at(b, 0, n, "status"));
	emit_kv(b, 0, false, "first_met", c->first_met, NULL);
	emit_kv(b, 0, false, "notes", c->notes, NULL);
	emit_kv(b, 0, false, "preferences", c->prefs, NULL);
}

static void render_issues(struct fb_buf *b, const struct issue *is, int n)
{
	int i;

	if (!n)
		return;
	emit_key(b, 0, "issues", NULL);
	for (i = 0; i < n; i++) {
		emit_kv(b, 4, true, "title", is[i].title, NULL);
		emit_kv(b, 4, false, "severity", severity_names[is[i].severity], NULL);
		emit_kv(b, 4, false, "status", issue_status_names[is[i].status], NULL);
	}
}

static void render_visit(struct fb_buf *b, int num, const struct visit *v)
{
	const struct note *n = &v->note;
	char id[24];
	int i;

	make_id(id, sizeof(id), T_VISIT, num);
	emit_kv(b, 0, false, "id", id, note_at(b, 0, n, "id"));
	emit_kv(b, 0, false, "date", v->date, note_at(b, 0, n, "date"));
	emit_kv(b, 0, false, "county", counties[v->county].id, NULL);
	if (v->district >= 0)
		emit_kv(b, 0, false, "district", counties[v->county].districts[v->district].id,
			NULL);
	emit_key(b, 0, "staff", NULL);
	for (i = 0; i < v->nstaff; i++)
		emit_item(b, 2, v->staff[i], NULL);
	emit_key(b, 0, "contacts", note_at(b, 0, n, "contacts"));
	for (i = 0; i < v->ncontacts; i++) {
		make_id(id, sizeof(id), T_CONTACT, v->contacts[i]);
		emit_item(b, 2, id, NULL);
	}
	emit_kv(b, 0, false, "kind", kind_names[v->kind], note_at(b, 0, n, "kind"));
	if (v->ntopics) {
		emit_key(b, 0, "topics", NULL);
		for (i = 0; i < v->ntopics; i++)
			emit_item(b, 2, v->topics[i], NULL);
	}
	emit_kv(b, 0, false, "summary", v->summary, NULL);
	render_issues(b, v->issues, v->nissues);
	if (v->nfus) {
		emit_key(b, 0, "follow_ups", note_at(b, 0, n, "follow_ups"));
		for (i = 0; i < v->nfus; i++) {
			emit_kv(b, 4, true, "action", v->fus[i].action, NULL);
			emit_kv(b, 4, false, "owner", v->fus[i].owner, NULL);
			emit_kv(b, 4, false, "due", v->fus[i].due, NULL);
			emit_kv(b, 4, false, "status", fu_status_names[v->fus[i].status], NULL);
		}
	}
	emit_kv(b, 0, false, "next_visit", v->next_visit, NULL);
}

static void render_assessment(struct fb_buf *b, int num, const struct assessment *a)
{
	const struct note *n = &a->note;
	char id[24];
	int i;

	make_id(id, sizeof(id), T_ASSESS, num);
	emit_kv(b, 0, false, "id", id, note_at(b, 0, n, "id"));
	emit_kv(b, 0, false, "county", counties[a->county].id, NULL);
	if (a->district >= 0)
		emit_kv(b, 0, false, "district", counties[a->county].districts[a->district].id,
			NULL);
	emit_kv(b, 0, false, "subject", a->subject, note_at(b, 0, n, "subject"));
	emit_kv(b, 0, false, "position", position_names[a->position], NULL);
	emit_kv(b, 0, false, "period", a->period, NULL);
	emit_kv(b, 0, false, "date", a->date, note_at(b, 0, n, "date"));
	emit_kv(b, 0, false, "assessor", a->assessor, NULL);
	emit_key(b, 0, "scores", NULL);
	for (i = 0; i < 5; i++)
		emit_kint(b, 2, false, score_names[i], a->scores[i], NULL);
	emit_kint(b, 0, false, "overall", a->overall, note_at(b, 0, n, "overall"));
	emit_kv(b, 0, false, "strengths", a->strengths, NULL);
	emit_kv(b, 0, false, "weaknesses", a->weaknesses, NULL);
	emit_kv(b, 0, false, "recommendations", a->recs, NULL);
	render_issues(b, a->issues, a->nissues);
}

/* ------------------------------------------------------------------ */
/* Git: our own tree nodes over an in-memory object database.          */

struct tnode {
	char *name;
	struct tnode **kids; /* sorted in git's tree order */
	size_t n, alloc;
	git_oid oid;
	bool dir, dirty;
};

struct git_out {
	git_repository *repo;
	git_odb *odb;
	git_odb_backend *mempack;
	git_packbuilder *pb;
	struct tnode root;
	struct fb_buf tbuf; /* tree serialisation */
	struct fb_buf path; /* scratch for object names */
	git_oid head;
	bool has_head;
	size_t objects, commits;
};

static struct git_out GO;

static void git_die(const char *what)
{
	const git_error *e = git_error_last();

	fprintf(stderr, "fbgen: %s: %s\n", what, e && e->message ? e->message : "unknown error");
	exit(3);
}

/* git's order: names compared bytewise, a directory as if its name ended in '/'. */
static int entry_cmp(const char *a, bool adir, const char *b, bool bdir)
{
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
	int c = memcmp(a, b, n);
	int ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)a[n] : (adir ? '/' : 0);
	cb = lb > n ? (unsigned char)b[n] : (bdir ? '/' : 0);
	return ca - cb;
}

/* Find (or, with `create`, add) the entry `name` of directory `t`; *pos gets its index. */
static struct tnode *tnode_child(struct tnode *t, const char *name, size_t len, bool dir,
				 bool create, size_t *pos)
{
	char key[256];
	size_t lo = 0, hi = t->n;
	struct tnode *k;

	if (len >= sizeof(key)) {
		fprintf(stderr, "fbgen: internal error: path component too long\n");
		exit(3);
	}
	memcpy(key, name, len);
	key[len] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = entry_cmp(t->kids[mid]->name, t->kids[mid]->dir, key, dir);
		if (c == 0) {
			*pos = mid;
			return t->kids[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return NULL;
	k = fb_calloc(1, sizeof(*k));
	k->name = fb_strdup(key);
	k->dir = dir;
	k->dirty = dir;
	FB_GROW(t->kids, t->n, t->alloc);
	memmove(t->kids + lo + 1, t->kids + lo, (t->n - lo) * sizeof(*t->kids));
	t->kids[lo] = k;
	t->n++;
	*pos = lo;
	return k;
}

/* Set the blob at `path` (slash-separated, relative to the top). */
static void tree_put(const char *path, const git_oid *oid)
{
	struct tnode *t = &GO.root;
	const char *p = path, *slash;
	size_t pos;

	t->dirty = true;
	while ((slash = strchr(p, '/'))) {
		t = tnode_child(t, p, (size_t)(slash - p), true, true, &pos);
		t->dirty = true;
		p = slash + 1;
	}
	t = tnode_child(t, p, strlen(p), false, true, &pos);
	git_oid_cpy(&t->oid, oid);
}

static void tnode_free(struct tnode *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		tnode_free(t->kids[i]);
	free(t->kids);
	free(t->name);
	if (t != &GO.root)
		free(t);
}

/* Remove the blob at `path`; directories left empty go too. */
static void tree_del(const char *path)
{
	struct tnode *stack[16];
	size_t at[16], depth = 0, pos;
	struct tnode *t = &GO.root;
	const char *p = path, *slash;

	while ((slash = strchr(p, '/'))) {
		stack[depth] = t;
		t = tnode_child(t, p, (size_t)(slash - p), true, false, &pos);
		if (!t)
			return;
		at[depth++] = pos;
		p = slash + 1;
	}
	if (!tnode_child(t, p, strlen(p), false, false, &pos))
		return;
	tnode_free(t->kids[pos]);
	memmove(t->kids + pos, t->kids + pos + 1, (t->n - pos - 1) * sizeof(*t->kids));
	t->n--;
	t->dirty = true;
	while (depth--) {
		struct tnode *parent = stack[depth];
		parent->dirty = true;
		if (t->n == 0) {
			pos = at[depth];
			tnode_free(parent->kids[pos]);
			memmove(parent->kids + pos, parent->kids + pos + 1,
				(parent->n - pos - 1) * sizeof(*parent->kids));
			parent->n--;
		}
		t = parent;
	}
}

static void odb_put(git_oid *oid, const void *data, size_t len, git_object_t type, const char *name)
{
	if (git_odb_write(oid, GO.odb, data, len, type) < 0)
		git_die("writing an object");
	if (git_packbuilder_insert(GO.pb, oid, name) < 0)
		git_die("queueing an object for the pack");
	GO.objects++;
}

/* Write the dirty trees under `t` (whose path is GO.path), children first. */
static void tree_write(struct tnode *t)
{
	size_t i, plen = GO.path.len;

	for (i = 0; i < t->n; i++) {
		struct tnode *k = t->kids[i];
		if (!k->dir || !k->dirty)
			continue;
		if (plen)
			fb_buf_putc(&GO.path, '/');
		fb_buf_puts(&GO.path, k->name);
		tree_write(k);
		fb_buf_setlen(&GO.path, plen);
	}
	fb_buf_reset(&GO.tbuf);
	for (i = 0; i < t->n; i++) {
		struct tnode *k = t->kids[i];
		fb_buf_addf(&GO.tbuf, "%s %s", k->dir ? "40000" : "100644", k->name);
		fb_buf_putc(&GO.tbuf, '\0');
		fb_buf_add(&GO.tbuf, k->oid.id, GIT_OID_RAWSZ);
	}
	odb_put(&t->oid, GO.tbuf.ptr, GO.tbuf.len, GIT_OBJECT_TREE, GO.path.ptr);
	t->dirty = false;
}

static void put_file(const char *path, const struct fb_buf *content)
{
	git_oid oid;

	odb_put(&oid, content->ptr, content->len, GIT_OBJECT_BLOB, path);
	tree_put(path, &oid);
}

static void git_out_open(const char *dir)
{
	git_repository_init_options opts;

	if (git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION) < 0)
		git_die("initialising options");
	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = "main";
	if (git_repository_init_ext(&GO.repo, dir, &opts) < 0)
		git_die("creating the repository");
	if (git_repository_odb(&GO.odb, GO.repo) < 0 || git_mempack_new(&GO.mempack) < 0 ||
	    git_odb_add_backend(GO.odb, GO.mempack, 999) < 0)
		git_die("setting up the in-memory object database");
	if (git_packbuilder_new(&GO.pb, GO.repo) < 0)
		git_die("creating the pack builder");
	GO.root.dir = true;
	GO.root.dirty = true;
}

/* Commit the current tree, authored and committed by staff `who` at `when`. */
static void commit_tree(int who, int64_t when, const char *msg)
{
	const struct staff *s = &staff[who];
	git_signature *sig;
	const git_oid *parents[1] = {&GO.head};
	git_oid oid;

	fb_buf_reset(&GO.path);
	tree_write(&GO.root);
	if (git_signature_new(&sig, s->git_fa ? s->fa : s->en, s->email, (git_time_t)when,
			      TZ_MINUTES) < 0)
		git_die("making a signature");
	if (git_commit_create_from_ids(&oid, GO.repo, NULL, sig, sig, NULL, msg, &GO.root.oid,
				       GO.has_head ? 1 : 0, parents) < 0)
		git_die("creating a commit");
	git_signature_free(sig);
	if (git_packbuilder_insert(GO.pb, &oid, NULL) < 0)
		git_die("queueing a commit for the pack");
	git_oid_cpy(&GO.head, &oid);
	GO.has_head = true;
	GO.objects++;
	GO.commits++;
}

/* Pack everything, point main at the last commit. */
static void git_out_finish(void)
{
	git_reference *ref;

	git_packbuilder_set_threads(GO.pb, 0);
	if (git_packbuilder_write(GO.pb, NULL, 0, NULL, NULL) < 0)
		git_die("writing the pack");
	if (git_reference_create(&ref, GO.repo, "refs/heads/main", &GO.head, 1, "fbgen") < 0)
		git_die("updating refs/heads/main");
	git_reference_free(ref);
}

/* ------------------------------------------------------------------ */
/* The data set being generated.                                       */

struct gen {
	bool demo;
	int32_t rec_begin, rec_end;   /* dates of the initial visits and assessments */
	int32_t hist_begin, hist_end; /* commit days */
	int32_t fu_cutoff;	      /* follow-ups due before this are mostly settled */
	struct contact *c;	      /* contact number n is c[n - 1] */
	size_t nc, ac;
	struct visit *v;
	size_t nv, av;
	struct assessment *a;
	size_t na, aa;
	struct county_state cs[NCOUNTY];
	int *cc[NCOUNTY]; /* contact numbers per county (deleted ones skipped on use) */
	size_t ncc[NCOUNTY], acc[NCOUNTY];
	int total_weight;
	uint64_t mobile_ctr, landline_ctr;
	int *open_fu, *open_issue; /* visit numbers that may hold open follow-ups / issues */
	size_t nopen_fu, aopen_fu, nopen_issue, aopen_issue;
	char *bakhshdar[NCOUNTY][8];
	int32_t gov_day[NGOVCHANGE];
	int gov_county[NGOVCHANGE];
	int gov_done;
	size_t live_contacts;
	struct fb_buf rbuf, pbuf; /* record text, record path */
};

static struct gen G;

static int county_index(const char *id)
{
	int i;

	for (i = 0; i < NCOUNTY; i++)
		if (!strcmp(counties[i].id, id))
			return i;
	fprintf(stderr, "fbgen: internal error: no county '%s'\n", id);
	exit(3);
}

static int pick_county(void)
{
	int r = (int)rnd((uint32_t)G.total_weight), i;

	for (i = 0; i < NCOUNTY - 1; i++) {
		r -= counties[i].weight;
		if (r < 0)
			break;
	}
	return i;
}

static int pick_district(int county)
{
	const struct county_info *ci = &counties[county];

	return chance(450) ? 0 : (int)rnd((uint32_t)ci->ndistricts);
}

static int pick_role(void)
{
	int r = (int)rnd(1000), i;

	for (i = 0; i < NROLE - 1; i++) {
		r -= role_weight[i];
		if (r < 0)
			break;
	}
	return i;
}

static double rnd01(void)
{
	return (double)(rng_next() >> 11) * 0x1.0p-53;
}

static const char *pick_staff_name(void)
{
	return staff[rnd(NSTAFF)].fa;
}

/* The farmandar of `county` on `day`. */
static const char *governor_at(int county, int32_t day)
{
	const char *g = counties[county].governor;
	int i;

	for (i = 0; i < NGOVCHANGE; i++)
		if (G.gov_county[i] == county && day >= G.gov_day[i])
			g = governor_changes[i].name;
	return g;
}

/* A fictional person: title, first and family name, plus the spelling staff used. */
static void gen_name(int role, char **written, char **clean, const struct name **first,
		     const struct name **last)
{
	bool cleric = role == R_FRIDAY || role == R_IMAM;
	bool female = !cleric && role != R_SECURITY &&
		      chance(role == R_CIVIL || role == R_COUNCIL ? 380 : 180);
	bool compound = chance(180);
	const struct name *f = female ? &PICK(female_names) : &PICK(male_names);
	const struct name *l = compound ? &PICK(compound_names) : &PICK(last_names);
	struct fb_buf b = FB_BUF_INIT;
	char *lastw, *w;

	if (role == R_FRIDAY)
		fb_buf_puts(&b, "حجت" ZW "الاسلام والمسلمین ");
	else if (role == R_IMAM && chance(800))
		fb_buf_puts(&b, "حجت" ZW "الاسلام ");
	else if (!cleric && chance(40))
		fb_buf_puts(&b, "دکتر ");
	else if (!cleric && !female && chance(30))
		fb_buf_puts(&b, "مهندس ");
	if (!female && chance(cleric ? 450 : 140))
		fb_buf_puts(&b, "سید ");
	else if (female && chance(60))
		fb_buf_puts(&b, "سیده ");
	fb_buf_addf(&b, "%s ", f->fa);
	lastw =
	    opt_mess && compound && chance(350) ? replace_all(l->fa, ZW, " ") : fb_strdup(l->fa);
	w = xfmt("%s%s", b.ptr, lastw);
	fb_buf_puts(&b, l->fa);
	*clean = fb_buf_detach(&b, NULL);
	if (opt_mess && chance(100)) {
		*written = arabize(w);
		free(w);
	} else {
		*written = w;
	}
	free(lastw);
	*first = f;
	*last = l;
}

/*
 * A phone number nobody else has: a counter through a bijection of the last
 * seven digits (a multiplier prime to 10, so unique for 10^7 numbers whatever
 * the prefix), written in one of the ways staff write numbers.
 */
static char *gen_phone(bool landline)
{
	static const char *const prefixes[] = {
	    "0913", "0917", "0991", "0912", "0915", "0936", "0930",
	    "0990", "0919", "0935", "0901", "0903", "0938",
	};
	const size_t np = FB_ARRAY_SIZE(prefixes);
	char d[16], *s, *t;
	uint64_t k;
	int r = opt_mess ? (int)rnd(1000) : 0;

	if (landline) {
		k = G.landline_ctr++;
		snprintf(d, sizeof(d), "0343%07llu",
			 (unsigned long long)((k * 2718283ull + 1414213ull) % 10000000ull));
		if (r < 500)
			return fb_strdup(d);
		if (r < 850)
			return xfmt("%.3s-%s", d, d + 3);
		if (r < 950)
			return xfmt("%.3s %.4s %s", d, d + 3, d + 7);
		s = xfmt("%.3s-%s", d, d + 3);
		t = persian_digits(s);
		free(s);
		return t;
	}
	k = G.mobile_ctr++;
	snprintf(d, sizeof(d), "%s%07llu", prefixes[((k * 2654435761ull) >> 16) % np],
		 (unsigned long long)((k * 3141593ull + 2718281ull) % 10000000ull));
	if (r < 600)
		return fb_strdup(d);
	if (r < 700)
		return xfmt("%.4s %.3s %s", d, d + 4, d + 7);
	if (r < 770)
		return xfmt("%.4s-%.3s-%s", d, d + 4, d + 7);
	if (r < 820)
		return xfmt("+98 %.3s %.3s %s", d + 1, d + 4, d + 7);
	if (r < 870)
		return xfmt("+98%s", d + 1);
	if (r < 900)
		return xfmt("0098%s", d + 1);
	return persian_digits(d);
}

static char *gen_email(const struct name *f, const struct name *l)
{
	static const char *const domains[] = {"example.com", "example.org", "example.net"};

	switch (rnd(3)) {
	case 0:
		return xfmt("%s.%s@%s", f->en, l->en, PICK(domains));
	case 1:
		return xfmt("%c%s%d@%s", f->en[0], l->en, rnd_range(10, 99), PICK(domains));
	default:
		return xfmt("%s_%s@%s", l->en, f->en, PICK(domains));
	}
}

/* One or two sentences from `pool`; two go on two lines (a literal block). */
static char *gen_text(const char *const *pool, size_t n, int two_pm)
{
	const char *a = pool[rnd((uint32_t)n)], *b;

	if (!chance(two_pm))
		return fb_strdup(a);
	do
		b = pool[rnd((uint32_t)n)];
	while (b == a);
	return xfmt("%s\n%s\n", a, b);
}

#define GEN_TEXT(pool, pm) gen_text(pool, FB_ARRAY_SIZE(pool), pm)

static char *gen_org(int role, int county, int district)
{
	const char *t;

	switch (role) {
	case R_FRIDAY:
		t = chance(500) ? "ستاد نماز جمعه {C}" : "دفتر امام جمعه {C}";
		break;
	case R_IMAM:
		t = PICK(org_imam);
		break;
	case R_PARTY:
		t = PICK(org_party);
		break;
	case R_CIVIL:
		t = PICK(org_civil);
		break;
	case R_SECURITY:
		t = PICK(org_security);
		break;
	case R_CAMPAIGN:
		t = PICK(org_campaign);
		break;
	case R_COUNCIL:
		t = PICK(org_council);
		break;
	case R_OFFICIAL:
		t = PICK(org_official);
		break;
	default:
		t = PICK(org_other);
		break;
	}
	return fill(t, county, district, NULL);
}

static int influence_for(int role)
{
	static const int w[] = {1, 2, 3, 3, 3, 4, 4, 5};

	if (role == R_FRIDAY)
		return rnd_range(4, 5);
	return PICK(w);
}

static const char *local_topic(int county)
{
	const char *const *t = counties[county].topics;
	uint32_t n = 0;

	while (n < FB_ARRAY_SIZE(counties[county].topics) && t[n])
		n++;
	return t[rnd(n)];
}

static void add_tag(struct contact *c)
{
	const char *t;
	int i, tries;

	for (tries = 0; tries < 10 && c->ntags < 3; tries++) {
		t = chance(300) ? local_topic(c->county) : PICK(tags);
		for (i = 0; i < c->ntags && strcmp(c->tags[i], t); i++)
			;
		if (i == c->ntags) {
			c->tags[c->ntags++] = t;
			return;
		}
	}
}

static void push_int(int **v, size_t *n, size_t *alloc, int x)
{
	FB_GROW(*v, *n, *alloc);
	(*v)[(*n)++] = x;
}

/* Create contact number G.nc + 1; `met` is a day near their first meeting. */
static int new_contact(int county, int role, int32_t met)
{
	struct contact *c;
	const struct name *f, *l;
	int i, n, r;

	FB_GROW(G.c, G.nc, G.ac);
	c = &G.c[G.nc++];
	memset(c, 0, sizeof(*c));
	c->county = (int16_t)county;
	c->role = (uint8_t)role;
	gen_name(role, &c->name, &c->clean_name, &f, &l);
	c->district = (int16_t)(chance(650) ? pick_district(county) : -1);
	if (role == R_FRIDAY || chance(880)) {
		c->org = gen_org(role, county, c->district);
		if (opt_mess && chance(25)) {
			char *a = arabize(c->org);
			free(c->org);
			c->org = a;
		}
	}
	r = (int)rnd(1000);
	n = r < 100 ? 0 : r < 650 ? 1 : r < 950 ? 2 : 3;
	for (i = 0; i < n; i++)
		c->phones[c->nphones++] =
		    gen_phone(chance(role == R_OFFICIAL || role == R_OTHER ? 350 : 100));
	if (chance(300))
		c->email = gen_email(f, l);
	if (role == R_FRIDAY || chance(800))
		c->influence = (uint8_t)influence_for(role);
	if (chance(400))
		for (i = rnd_range(1, 3); i > 0; i--)
			add_tag(c);
	c->active = chance(920);
	if (chance(750))
		c->first_met = fmt_date(met, pick_style(false));
	if (chance(350))
		c->notes = GEN_TEXT(contact_notes, 150);
	if (chance(200))
		c->prefs = GEN_TEXT(preferences, 100);
	if (opt_mess && chance(40)) {
		static const char *const keys[] = {"phones", "influence", "status", "name",
						   "organization"};
		const char *k = PICK(keys);
		bool eol = strcmp(k, "name") && (!strcmp(k, "status") || chance(600));
		if ((strcmp(k, "phones") || c->nphones) &&
		    (strcmp(k, "influence") || c->influence) &&
		    (strcmp(k, "organization") || c->org)) {
			c->note.key = k;
			c->note.text = comment_for(k);
			c->note.eol = eol;
		}
	}
	push_int(&G.cc[county], &G.ncc[county], &G.acc[county], (int)G.nc);
	G.live_contacts++;
	return (int)G.nc;
}

/* A live contact of `county` not yet in v->contacts, or 0. */
static int pick_contact_of(int county, const struct visit *v)
{
	int tries, num, i;

	if (!G.ncc[county])
		return 0;
	for (tries = 0; tries < 20; tries++) {
		num = G.cc[county][rnd((uint32_t)G.ncc[county])];
		if (G.c[num - 1].deleted)
			continue;
		for (i = 0; i < v->ncontacts && v->contacts[i] != num; i++)
			;
		if (i == v->ncontacts)
			return num;
	}
	return 0;
}

static char *gen_summary(const struct visit *v)
{
	const struct contact *c0 = &G.c[v->contacts[0] - 1];
	const char *t1 = v->ntopics ? v->topics[0] : PICK(general_topics);
	const char *tail = PICK(summary_tails);
	struct fb_buf b = FB_BUF_INIT;
	char *s;

	switch (v->kind) {
	case K_INPERSON:
		s = fill(PICK(places), v->county, v->district, NULL);
		fb_buf_addf(&b, "دیدار با %s%s در %s. محور گفت" ZW "وگو %s", c0->name,
			    v->ncontacts > 1 ? " و همراهان" : "", s, t1);
		if (v->ntopics > 1)
			fb_buf_addf(&b, " و %s", v->topics[1]);
		fb_buf_addf(&b, " بود%s", tail);
		free(s);
		break;
	case K_MEETING:
		fb_buf_addf(&b, "جلسه با %s با حضور %s. موضوع اصلی %s بود%s",
			    c0->org ? c0->org : "معتمدان محلی", c0->name, t1, tail);
		break;
	case K_PHONE:
		fb_buf_addf(&b, "تماس تلفنی با %s درباره %s%s", c0->name, t1,
			    strcmp(tail, ".") ? tail : "؛ قرار شد پیگیری شود.");
		break;
	default:
		fb_buf_addf(&b, "حضور در %s در %s و گفت" ZW "وگوی کوتاه با %s%s", PICK(event_names),
			    counties[v->county].name, c0->name, tail);
		break;
	}
	if (chance(200))
		fb_buf_addf(&b, "\n%s\n", PICK(observations));
	return fb_buf_detach(&b, NULL);
}

static void gen_issues(struct issue *is, uint8_t *n, int county, int district, int open_pm)
{
	static const uint8_t sev[] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
	int i, k = chance(700) ? 1 : 2;

	for (i = 0; i < k; i++) {
		is[i].title = fill(PICK(issue_titles), county, district, NULL);
		is[i].severity = PICK(sev);
		is[i].status = chance(open_pm) ? 0 : 1;
	}
	*n = (uint8_t)k;
}

/* Create visit number G.nv + 1 on `day`; `first` (if not 0) is the first contact met. */
static int new_visit(int county, int32_t day, int kind, int first)
{
	struct visit *v;
	int i, n, num;

	FB_GROW(G.v, G.nv, G.av);
	v = &G.v[G.nv++];
	memset(v, 0, sizeof(*v));
	num = (int)G.nv;
	v->county = (int16_t)county;
	v->day = day;
	v->kind = (uint8_t)kind;
	v->date = fmt_date(day, pick_style(true));
	v->district = (int16_t)(chance(600) ? pick_district(county) : -1);
	n = kind == K_PHONE ? 1 : chance(500) ? 1 : chance(700) ? 2 : 3;
	while (v->nstaff < n) {
		const char *s = pick_staff_name();
		for (i = 0; i < v->nstaff && v->staff[i] != s; i++)
			;
		if (i == v->nstaff)
			v->staff[v->nstaff++] = s;
	}
	n = kind == K_PHONE	? 1
	    : kind == K_EVENT	? rnd_range(2, 5)
	    : kind == K_MEETING ? rnd_range(2, 4)
				: rnd_range(1, 3);
	v->contacts = fb_calloc((size_t)n, sizeof(int));
	if (first)
		v->contacts[v->ncontacts++] = first;
	while (v->ncontacts < n) {
		int other = chance(80) ? pick_county() : county;
		int c = pick_contact_of(other, v);
		if (!c && !(c = pick_contact_of(county, v)))
			break;
		v->contacts[v->ncontacts++] = c;
	}
	while (!v->ncontacts) {
		int c = (int)rnd((uint32_t)G.nc) + 1;
		if (!G.c[c - 1].deleted)
			v->contacts[v->ncontacts++] = c;
	}
	for (i = 0; i < v->ncontacts; i++)
		G.c[v->contacts[i] - 1].refs++;
	if (chance(750)) {
		n = rnd_range(1, 3);
		while (v->ntopics < n) {
			const char *t = chance(500) ? local_topic(county) : PICK(general_topics);
			for (i = 0; i < v->ntopics && strcmp(v->topics[i], t); i++)
				;
			if (i == v->ntopics)
				v->topics[v->ntopics++] = t;
			else if (chance(300))
				break;
		}
	}
	if (chance(900))
		v->summary = gen_summary(v);
	if (chance(350)) {
		gen_issues(v->issues, &v->nissues, county, v->district,
			   day > G.fu_cutoff ? 700 : 350);
		push_int(&G.open_issue, &G.nopen_issue, &G.aopen_issue, num);
	}
	if (chance(400)) {
		v->nfus = (uint8_t)(chance(700) ? 1 : 2);
		for (i = 0; i < v->nfus; i++) {
			struct follow_up *f = &v->fus[i];
			int32_t due = day + rnd_range(7, 60);
			f->action = fill(PICK(followup_actions), county, v->district, NULL);
			f->owner = chance(800) ? pick_staff_name() : NULL;
			f->due = fmt_date(due, pick_style(false));
			if (due < G.fu_cutoff)
				f->status = chance(300)	  ? FU_OPEN
					    : chance(780) ? FU_DONE
							  : FU_DROPPED;
			else
				f->status = chance(800) ? FU_OPEN : FU_DONE;
		}
		push_int(&G.open_fu, &G.nopen_fu, &G.aopen_fu, num);
	}
	if (chance(250))
		v->next_visit =
		    fmt_date(visit_day_from(day + rnd_range(14, 60)), pick_style(false));
	if (opt_mess && chance(30)) {
		static const char *const keys[] = {"date", "contacts", "kind", "follow_ups"};
		const char *k = PICK(keys);
		if (strcmp(k, "follow_ups") || v->nfus) {
			v->note.key = k;
			v->note.text = comment_for(k);
			v->note.eol = strcmp(k, "follow_ups") && chance(700);
		}
	}
	return num;
}

/* Scores cluster around a level that belongs to the person, so seasons compare. */
static int subject_level(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return 2 + (int)(h % 3);
}

static int clamp15(int x)
{
	return x < 1 ? 1 : x > 5 ? 5 : x;
}

static int new_assessment(int county, int position, int district, int32_t day)
{
	struct assessment *a;
	const char *village = NULL;
	int y, q, i, level, sum = 0;

	FB_GROW(G.a, G.na, G.aa);
	a = &G.a[G.na++];
	memset(a, 0, sizeof(*a));
	a->county = (int16_t)county;
	a->position = (uint8_t)position;
	a->district = (int16_t)(position == P_FARMANDAR ? -1 : district);
	a->day = day;
	a->date = fmt_date(day, pick_style(false));
	season_of(day, &y, &q);
	snprintf(a->period, sizeof(a->period), "%04d-Q%c", y % 10000, (char)('0' + q));
	if (position == P_FARMANDAR) {
		a->subject = fb_strdup(governor_at(county, day));
	} else if (position == P_BAKHSHDAR) {
		a->subject = fb_strdup(G.bakhshdar[county][district]);
	} else {
		const struct name *f, *l;
		char *clean;
		village = PICK(villages);
		gen_name(R_OFFICIAL, &a->subject, &clean, &f, &l);
		free(clean);
	}
	a->assessor = pick_staff_name();
	level = subject_level(a->subject);
	for (i = 0; i < 5; i++) {
		a->scores[i] = (uint8_t)clamp15(level + rnd_range(-1, 1) + (chance(100) ? 1 : 0));
		sum += a->scores[i];
	}
	a->overall = (uint8_t)clamp15((sum * 2 + 5) / 10 + (chance(150) ? rnd_range(-1, 1) : 0));
	if (village || chance(900)) { /* a dehyar's village is named in `strengths` */
		char *s = village ? GEN_TEXT(dehyar_strengths, 150) : GEN_TEXT(strengths, 150);
		if (village) {
			a->strengths = xfmt("دهیار روستای %s؛ %s", village, s);
			free(s);
		} else {
			a->strengths = s;
		}
	}
	if (chance(850))
		a->weaknesses = GEN_TEXT(weaknesses, 150);
	if (chance(800))
		a->recs = GEN_TEXT(recommendations, 150);
	if (chance(300))
		gen_issues(a->issues, &a->nissues, county, a->district < 0 ? 0 : a->district, 600);
	if (opt_mess && chance(25)) {
		static const char *const keys[] = {"overall", "subject", "date"};
		a->note.key = PICK(keys);
		a->note.text = comment_for(a->note.key);
		a->note.eol = strcmp(a->note.key, "subject") != 0;
	}
	return (int)G.na;
}

/* ------------------------------------------------------------------ */
/* Writing records into the tree.                                      */

static void record_path(struct fb_buf *b, enum rtype t, int num)
{
	char id[24];

	if (t == T_COUNTY) {
		fb_buf_addf(b, "records/counties/%s.yaml", counties[num].id);
		return;
	}
	make_id(id, sizeof(id), t, num);
	if (!G.demo)
		fb_buf_addf(b, "records/%s/%03d/%s.yaml", type_dir[t], num / 100, id);
	else if (t == T_VISIT)
		fb_buf_addf(b, "records/visits/%d/%s.yaml", jyear(G.v[num - 1].day), id);
	else
		fb_buf_addf(b, "records/%s/%s.yaml", type_dir[t], id);
}

static void write_record(enum rtype t, int num)
{
	fb_buf_reset(&G.rbuf);
	fb_buf_reset(&G.pbuf);
	switch (t) {
	case T_COUNTY:
		render_county(&G.rbuf, num, &G.cs[num]);
		break;
	case T_CONTACT:
		render_contact(&G.rbuf, num, &G.c[num - 1]);
		break;
	case T_VISIT:
		render_visit(&G.rbuf, num, &G.v[num - 1]);
		break;
	case T_ASSESS:
		render_assessment(&G.rbuf, num, &G.a[num - 1]);
		break;
	}
	record_path(&G.pbuf, t, num);
	put_file(G.pbuf.ptr, &G.rbuf);
}

static void delete_record(enum rtype t, int num)
{
	fb_buf_reset(&G.pbuf);
	record_path(&G.pbuf, t, num);
	tree_del(G.pbuf.ptr);
}

/* ------------------------------------------------------------------ */
/* History: small valid edits, as staff make them.                     */

struct change {
	enum rtype t;
	int num;
	char what;	 /* 'A'dded, 'M'odified, 'D'eleted */
	char fields[96]; /* JSON pointers of a modification, ", "-separated */
};

static struct change changes[4];
static int nchanges;

/*
 * Note a change to a record; the record is written (or removed) once, by
 * apply_changes(), when the commit is made, so a record edited twice in one
 * commit leaves no intermediate blob behind.
 */
static void changed(enum rtype t, int num, char what, const char *fields)
{
	struct change *c;
	int i;

	for (i = 0; i < nchanges; i++) {
		c = &changes[i];
		if (c->t == t && c->num == num) {
			size_t n = strlen(c->fields);
			if (c->what == 'M' && fields)
				snprintf(c->fields + n, sizeof(c->fields) - n, ", %s", fields);
			return;
		}
	}
	c = &changes[nchanges++];
	c->t = t;
	c->num = num;
	c->what = what;
	snprintf(c->fields, sizeof(c->fields), "%s", fields ? fields : "");
}

static void apply_changes(void)
{
	int i;

	for (i = 0; i < nchanges; i++) {
		if (changes[i].what == 'D')
			delete_record(changes[i].t, changes[i].num);
		else
			write_record(changes[i].t, changes[i].num);
	}
}

static void change_name(struct fb_buf *b, const struct change *c)
{
	char id[24];

	if (c->t == T_COUNTY) {
		fb_buf_addf(b, "counties/%s", counties[c->num].id);
		return;
	}
	make_id(id, sizeof(id), c->t, c->num);
	fb_buf_addf(b, "%s/%s", type_dir[c->t], id);
}

/* A message as `fieldbook commit` writes one: summary, what changed, trailers. */
static void message_fieldbook(struct fb_buf *m)
{
	const struct change *c = &changes[0];
	const char *p;
	int i;

	fb_buf_puts(m, c->what == 'A' ? "Add " : c->what == 'D' ? "Delete " : "Update ");
	change_name(m, c);
	if (c->what == 'M') {
		/* top-level names: "/phones/1, /status" -> "phones, status" */
		fb_buf_puts(m, " (");
		for (p = c->fields; *p; p++) {
			if (*p == '/' && (p == c->fields || p[-1] == ' ')) {
				size_t n = strcspn(p + 1, "/,");
				if (p != c->fields)
					fb_buf_puts(m, ", ");
				fb_buf_add(m, p + 1, n);
			}
		}
		fb_buf_putc(m, ')');
	}
	if (nchanges > 1)
		fb_buf_addf(m, " and %d more record%s", nchanges - 1, nchanges > 2 ? "s" : "");
	fb_buf_puts(m, "\n\n");
	for (i = 0; i < nchanges; i++) {
		c = &changes[i];
		fb_buf_puts(m, c->what == 'A'	? "added "
			       : c->what == 'D' ? "deleted "
						: "modified ");
		change_name(m, c);
		if (c->what == 'M')
			fb_buf_addf(m, ": %s", c->fields);
		fb_buf_putc(m, '\n');
	}
	fb_buf_putc(m, '\n');
	for (i = 0; i < nchanges; i++) {
		fb_buf_puts(m, "Record: ");
		change_name(m, &changes[i]);
		fb_buf_putc(m, '\n');
	}
	fb_buf_puts(m, "Validated-by: fieldbook " FB_VERSION "\n");
}

/* A message as someone committing with plain git writes one. */
static void message_plain(struct fb_buf *m)
{
	const struct change *c = &changes[0];
	char id[24];

	if (c->t == T_COUNTY)
		snprintf(id, sizeof(id), "%s", counties[c->num].id);
	else
		make_id(id, sizeof(id), c->t, c->num);
	switch (rnd(8)) {
	case 0:
		fb_buf_addf(m, "Update %s.yaml\n", id);
		break;
	case 1:
		fb_buf_addf(m, "fix %s\n", id);
		break;
	case 2:
		fb_buf_addf(m, "اصلاح %s\n", id);
		break;
	case 3:
		if (c->t == T_VISIT)
			fb_buf_addf(m, "ثبت بازدید %s\n", counties[G.v[c->num - 1].county].name);
		else
			fb_buf_puts(m, "به" ZW "روزرسانی اطلاعات\n");
		break;
	case 4:
		fb_buf_puts(m, "wip\n");
		break;
	case 5:
		fb_buf_puts(m, "typo\n");
		break;
	case 6:
		fb_buf_addf(
		    m, "%s %s\n\nchanged by hand, fieldbook was not installed on this laptop\n",
		    c->what == 'A'   ? "add"
		    : c->what == 'D' ? "remove"
				     : "edit",
		    id);
		break;
	default:
		fb_buf_puts(m, "records\n");
		break;
	}
}

enum edit {
	E_STATUS,
	E_PHONES,
	E_NOTES,
	E_INFLUENCE,
	E_TAGS,
	E_ORG,
	E_RENAME,
	E_ADD_CONTACT,
	E_DELETE_CONTACT,
	E_ADD_VISIT,
	E_ADD_VISIT_CONTACT,
	E_CLOSE_FU,
	E_RESOLVE_ISSUE,
	E_VISIT_EDIT,
	E_ADD_ASSESS,
	E_ASSESS_FIX,
	E_COUNTY_NOTES,
	NEDIT
};
static const int edit_weight[NEDIT] = {45,  70, 55,  45, 30, 20, 40, 70, 10,
				       200, 30, 140, 80, 40, 55, 20, 10};

static const char *const county_note_updates[] = {
    "جلسه شورای تأمین شهرستان اول هر ماه برگزار می" ZW "شود.",
    "فرماندار خواستار حضور بیشتر کارشناسان استان در بخش" ZW "ها شد.",
    "طرح آبرسانی به روستاها در دست اجراست؛ پیشرفت کند است.",
    "در آستانه انتخابات، فضای سیاسی شهرستان ملتهب است.",
    "نماینده حوزه با فرمانداری هماهنگی خوبی دارد.",
};

static int random_live_contact(void)
{
	for (;;) {
		int n = (int)rnd((uint32_t)G.nc) + 1;
		if (!G.c[n - 1].deleted)
			return n;
	}
}

static int pick_kind(void)
{
	int r = (int)rnd(100);

	return r < 50 ? K_INPERSON : r < 75 ? K_MEETING : r < 90 ? K_PHONE : K_EVENT;
}

/* The day of a visit recorded on `day`: a recent Sunday or Tuesday; any working day for a call. */
static int32_t recent_visit_day(int32_t day, int kind)
{
	int32_t d;

	if (kind != K_PHONE)
		return visit_day_before(day - rnd_range(0, 4));
	d = day - rnd_range(0, 2);
	return fb_weekday(d) == 5 ? d - 1 : d;
}

static void replace_str(char **slot, char *s)
{
	free(*slot);
	*slot = s;
}

static bool edit_contact(enum edit e)
{
	int num = random_live_contact(), i, old;
	struct contact *c = &G.c[num - 1];
	char f[32];
	char *s;

	switch (e) {
	case E_STATUS:
		c->active = !c->active;
		snprintf(f, sizeof(f), "/status");
		break;
	case E_PHONES:
		if (c->nphones < 3 && (!c->nphones || chance(500))) {
			i = c->nphones++;
			c->phones[i] = gen_phone(chance(150));
		} else {
			i = (int)rnd(c->nphones);
			replace_str(&c->phones[i], gen_phone(false));
		}
		snprintf(f, sizeof(f), "/phones/%d", i);
		break;
	case E_NOTES:
		for (;;) {
			s = GEN_TEXT(contact_notes, 150);
			if (!c->notes || strcmp(s, c->notes))
				break;
			free(s);
		}
		replace_str(&c->notes, s);
		snprintf(f, sizeof(f), "/notes");
		break;
	case E_INFLUENCE:
		old = c->influence;
		while (c->influence == old)
			c->influence = (uint8_t)rnd_range(1, 5);
		snprintf(f, sizeof(f), "/influence");
		break;
	case E_TAGS:
		if (c->ntags < 3) {
			i = c->ntags;
			add_tag(c);
			if (c->ntags == i)
				return false;
			snprintf(f, sizeof(f), "/tags/%d", i);
		} else {
			c->ntags--;
			snprintf(f, sizeof(f), "/tags/%d", (int)c->ntags);
		}
		break;
	case E_ORG:
		s = gen_org(c->role, c->county, c->district);
		if (c->org && !strcmp(s, c->org)) {
			free(s);
			return false;
		}
		replace_str(&c->org, s);
		snprintf(f, sizeof(f), "/organization");
		break;
	default: /* E_RENAME: a spelling fix of a name typed with Arabic letters or a space */
		for (i = 0; i < 40 && !strcmp(c->name, c->clean_name); i++) {
			num = random_live_contact();
			c = &G.c[num - 1];
		}
		if (!strcmp(c->name, c->clean_name))
			return false;
		replace_str(&c->name, fb_strdup(c->clean_name));
		snprintf(f, sizeof(f), "/name");
		break;
	}
	changed(T_CONTACT, num, 'M', f);
	return true;
}

/* Settle one open follow-up (or issue) of some visit; false when none is left. */
static bool settle(bool followup)
{
	int **list = followup ? &G.open_fu : &G.open_issue;
	size_t *n = followup ? &G.nopen_fu : &G.nopen_issue;
	char f[48];

	while (*n) {
		size_t k = rnd((uint32_t)*n);
		int num = (*list)[k], i;
		struct visit *v = &G.v[num - 1];

		if (followup) {
			for (i = 0; i < v->nfus && v->fus[i].status != FU_OPEN; i++)
				;
			if (i < v->nfus) {
				v->fus[i].status = chance(750) ? FU_DONE : FU_DROPPED;
				snprintf(f, sizeof(f), "/follow_ups/%d/status", i);
			}
		} else {
			for (i = 0; i < v->nissues && v->issues[i].status != 0; i++)
				;
			if (i < v->nissues) {
				v->issues[i].status = 1;
				snprintf(f, sizeof(f), "/issues/%d/status", i);
			}
		}
		if (i < (followup ? v->nfus : v->nissues)) {
			changed(T_VISIT, num, 'M', f);
			return true;
		}
		(*list)[k] = (*list)[--*n];
	}
	return false;
}

static void add_visit(int32_t day)
{
	int kind = pick_kind();
	int num = new_visit(pick_county(), recent_visit_day(day, kind), kind, 0);

	changed(T_VISIT, num, 'A', NULL);
}

static bool do_edit(enum edit e, int32_t day)
{
	int num, county, i;
	char f[48];

	switch (e) {
	case E_STATUS:
	case E_PHONES:
	case E_NOTES:
	case E_INFLUENCE:
	case E_TAGS:
	case E_ORG:
	case E_RENAME:
		return edit_contact(e);
	case E_ADD_CONTACT:
		num = new_contact(pick_county(), pick_role(), day - rnd_range(0, 20));
		changed(T_CONTACT, num, 'A', NULL);
		return true;
	case E_DELETE_CONTACT:
		for (i = 0; i < 40; i++) {
			num = random_live_contact();
			if (!G.c[num - 1].refs && G.c[num - 1].role != R_FRIDAY) {
				G.c[num - 1].deleted = true;
				G.live_contacts--;
				changed(T_CONTACT, num, 'D', NULL);
				return true;
			}
		}
		return false;
	case E_ADD_VISIT:
		add_visit(day);
		return true;
	case E_ADD_VISIT_CONTACT: {
		int32_t vday = recent_visit_day(day, K_INPERSON);
		county = pick_county();
		num = new_contact(county, pick_role(), vday);
		changed(T_CONTACT, num, 'A', NULL);
		i = new_visit(county, vday, chance(600) ? K_INPERSON : K_MEETING, num);
		changed(T_VISIT, i, 'A', NULL);
		return true;
	}
	case E_CLOSE_FU:
		if (!settle(true))
			return false;
		if (chance(150))
			settle(true);
		return true;
	case E_RESOLVE_ISSUE:
		return settle(false);
	case E_VISIT_EDIT: {
		struct visit *v;
		if (!G.nv)
			return false;
		num = (int)rnd((uint32_t)G.nv) + 1;
		v = &G.v[num - 1];
		if (v->ntopics < 4 && chance(600)) {
			const char *t = PICK(general_topics);
			for (i = 0; i < v->ntopics && strcmp(v->topics[i], t); i++)
				;
			if (i < v->ntopics)
				return false;
			v->topics[v->ntopics] = t;
			snprintf(f, sizeof(f), "/topics/%d", v->ntopics++);
		} else if (v->summary && !strchr(v->summary, '\n')) {
			replace_str(&v->summary, xfmt("%s\n%s\n", v->summary, PICK(observations)));
			snprintf(f, sizeof(f), "/summary");
		} else if (!v->next_visit) {
			v->next_visit =
			    fmt_date(visit_day_from(day + rnd_range(7, 40)), pick_style(false));
			snprintf(f, sizeof(f), "/next_visit");
		} else {
			return false;
		}
		changed(T_VISIT, num, 'M', f);
		return true;
	}
	case E_ADD_ASSESS: {
		int r = (int)rnd(100);
		int pos = r < 60 ? P_FARMANDAR : r < 90 ? P_BAKHSHDAR : P_DEHYAR;
		county = pick_county();
		num = new_assessment(county, pos, pick_district(county), day);
		changed(T_ASSESS, num, 'A', NULL);
		return true;
	}
	case E_ASSESS_FIX: {
		struct assessment *a;
		int old;
		if (!G.na)
			return false;
		num = (int)rnd((uint32_t)G.na) + 1;
		a = &G.a[num - 1];
		i = (int)rnd(5);
		old = a->scores[i];
		a->scores[i] = (uint8_t)(old == 5   ? 4
					 : old == 1 ? 2
						    : old + (chance(500) ? 1 : -1));
		snprintf(f, sizeof(f), "/scores/%s", score_names[i]);
		changed(T_ASSESS, num, 'M', f);
		return true;
	}
	default: /* E_COUNTY_NOTES */
		county = pick_county();
		{
			const char *s = PICK(county_note_updates);
			if (G.cs[county].notes && !strcmp(G.cs[county].notes, s))
				return false;
			G.cs[county].notes = s;
		}
		changed(T_COUNTY, county, 'M', "/notes");
		return true;
	}
}

static enum edit pick_edit(void)
{
	int total = 0, r, i;

	for (i = 0; i < NEDIT; i++)
		total += edit_weight[i];
	r = (int)rnd((uint32_t)total);
	for (i = 0; i < NEDIT - 1; i++) {
		r -= edit_weight[i];
		if (r < 0)
			break;
	}
	return (enum edit)i;
}

static int pick_author(void)
{
	static const int w[NSTAFF] = {14, 12, 11, 10, 10, 9, 9, 8, 9, 8};
	int r = (int)rnd(100), i;

	for (i = 0; i < NSTAFF - 1; i++) {
		r -= w[i];
		if (r < 0)
			break;
	}
	return i;
}

/* `m` commits at increasing times on the working days (not Friday) of the history span. */
static void history(int m)
{
	int32_t *days = NULL, d;
	size_t nd = 0, ad = 0;
	struct fb_buf msg = FB_BUF_INIT;
	int i;

	for (d = G.hist_begin; d <= G.hist_end; d++)
		if (fb_weekday(d) != 5 && !nowruz(d, true)) {
			FB_GROW(days, nd, ad);
			days[nd++] = d;
		}
	for (i = 0; i < m; i++) {
		double x = ((double)i + rnd01()) / m * (double)nd;
		size_t di = (size_t)x < nd ? (size_t)x : nd - 1;
		int32_t day = days[di];
		int64_t when = (int64_t)day * 86400 + 8 * 3600 +
			       (int64_t)((x - (double)di) * 12 * 3600) - TZ_MINUTES * 60;
		int who = pick_author();

		nchanges = 0;
		if (G.gov_done < NGOVCHANGE && day >= G.gov_day[G.gov_done]) {
			int k = G.gov_done++;
			G.cs[G.gov_county[k]].governor = governor_changes[k].name;
			changed(T_COUNTY, G.gov_county[k], 'M', "/governor");
		} else {
			while (!do_edit(pick_edit(), day))
				;
		}
		apply_changes();
		fb_buf_reset(&msg);
		if (chance(70))
			message_plain(&msg);
		else
			message_fieldbook(&msg);
		commit_tree(who, when, msg.ptr);
	}
	fb_buf_release(&msg);
	free(days);
}

/* ------------------------------------------------------------------ */
/* The initial records.                                                */

struct plan {
	int32_t day;
	int county, kind, district, seq;
};

static int cmp_plan(const void *a, const void *b)
{
	const struct plan *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->seq - y->seq;
}

static void shuffle_ints(int *v, int n)
{
	int i;

	for (i = n - 1; i > 0; i--) {
		int j = (int)rnd((uint32_t)i + 1), t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

static int32_t random_day(int32_t from, int32_t to)
{
	return from + (int32_t)rnd((uint32_t)(to - from + 1));
}

static void gen_contacts(int n)
{
	int *county = fb_calloc((size_t)n, sizeof(int)), *order = fb_calloc((size_t)n, sizeof(int));
	int32_t met_from = jday(1398, 1, 1);
	int i;

	/* every county has its Friday-prayer leader; the rest follow the weights */
	for (i = 0; i < n; i++) {
		county[i] = i < NCOUNTY ? i : pick_county();
		order[i] = i;
	}
	shuffle_ints(order, n);
	for (i = 0; i < n; i++) {
		int k = order[i];
		int num = new_contact(county[k], k < NCOUNTY ? R_FRIDAY : pick_role(),
				      random_day(met_from, G.rec_end));
		write_record(T_CONTACT, num);
	}
	free(county);
	free(order);
}

static void gen_visits(int n)
{
	struct plan *p = fb_calloc((size_t)n, sizeof(*p));
	int i;

	for (i = 0; i < n; i++) {
		int32_t d = random_day(G.rec_begin, G.rec_end);
		while (nowruz(d, false))
			d++;
		p[i].kind = pick_kind();
		p[i].county = pick_county();
		p[i].seq = i;
		if (p[i].kind != K_PHONE && chance(880)) {
			/* the Sunday or the Tuesday of that week */
			d = d - fb_weekday(d) + (chance(500) ? 2 : 0);
			if (d < G.rec_begin || nowruz(d, false))
				d += 7;
			if (d > G.rec_end)
				d -= 7;
		} else if (fb_weekday(d) == 5) {
			d--;
		}
		p[i].day = d;
	}
	qsort(p, (size_t)n, sizeof(*p), cmp_plan);
	for (i = 0; i < n; i++)
		write_record(T_VISIT, new_visit(p[i].county, p[i].day, p[i].kind, 0));
	free(p);
}

/*
 * Demo: the farmandar of most counties each season of 1402..1403 (80% of the
 * assessments), then bakhshdars and a few dehyars.  Bench: random.
 */
static void gen_assessments(int n)
{
	struct plan *p = fb_calloc((size_t)n, sizeof(*p));
	int i, k = 0, s, per;

	if (G.demo) {
		int order[NCOUNTY];
		per = n * 8 / 10 / 8;
		if (per > NCOUNTY)
			per = NCOUNTY;
		for (s = 0; s < 8; s++) {
			int y = 1402 + s / 4, q = s % 4 + 1;
			for (i = 0; i < NCOUNTY; i++)
				order[i] = i;
			shuffle_ints(order, NCOUNTY);
			for (i = 0; i < per && k < n; i++, k++) {
				p[k].county = order[i];
				p[k].kind = P_FARMANDAR;
				p[k].day = jday(y, 3 * q, rnd_range(1, 28));
			}
		}
	}
	for (i = k; i < n; i++) {
		int r = (int)rnd(100);
		if (G.demo)
			p[i].kind = i - k < (n - k) * 2 / 3 ? P_BAKHSHDAR : P_DEHYAR;
		else
			p[i].kind = r < 60 ? P_FARMANDAR : r < 90 ? P_BAKHSHDAR : P_DEHYAR;
		p[i].county = pick_county();
		s = (int)rnd(8);
		p[i].day = jday(1402 + s / 4, 3 * (s % 4 + 1), rnd_range(1, 28));
	}
	for (i = 0; i < n; i++) {
		p[i].seq = i;
		p[i].district = pick_district(p[i].county);
	}
	qsort(p, (size_t)n, sizeof(*p), cmp_plan);
	for (i = 0; i < n; i++)
		write_record(T_ASSESS,
			     new_assessment(p[i].county, p[i].kind, p[i].district, p[i].day));
	free(p);
}

static void gen_initial(int ncontacts, int nvisits, int nassess)
{
	int i, j;

	for (i = 0; i < NCOUNTY; i++) {
		G.total_weight += counties[i].weight;
		G.cs[i].governor = counties[i].governor;
		G.cs[i].notes = counties[i].notes;
		for (j = 0; j < counties[i].ndistricts && j < 8; j++)
			G.bakhshdar[i][j] = xfmt("%s %s", PICK(male_names).fa, PICK(last_names).fa);
		write_record(T_COUNTY, i);
	}
	for (i = 0; i < NGOVCHANGE; i++) {
		const struct governor_change *g = &governor_changes[i];
		G.gov_county[i] = county_index(g->county);
		G.gov_day[i] = jday(g->jy, g->jm, g->jd);
	}
	gen_contacts(ncontacts);
	gen_visits(nvisits);
	gen_assessments(nassess);
}

/* ------------------------------------------------------------------ */
/* Working tree and index, so that `git status` is clean.              */

struct wfile {
	char *path;
	git_oid oid;
};

static struct wfile *wfiles;
static size_t nwfiles, awfiles;

static void collect_files(const struct tnode *t, struct fb_buf *path)
{
	size_t i, len = path->len;

	for (i = 0; i < t->n; i++) {
		const struct tnode *k = t->kids[i];
		if (len)
			fb_buf_putc(path, '/');
		fb_buf_puts(path, k->name);
		if (k->dir) {
			collect_files(k, path);
		} else {
			FB_GROW(wfiles, nwfiles, awfiles);
			wfiles[nwfiles].path = fb_strdup(path->ptr);
			git_oid_cpy(&wfiles[nwfiles].oid, &k->oid);
			nwfiles++;
		}
		fb_buf_setlen(path, len);
	}
}

static int cmp_wfile(const void *a, const void *b)
{
	return strcmp(((const struct wfile *)a)->path, ((const struct wfile *)b)->path);
}

/* mkdir -p for the directories of `file` (a path under the output directory). */
static void make_parents(const char *file, struct fb_buf *made)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) : 0, i;
	char dir[4096];

	if (!n || (made->len == n && !memcmp(made->ptr, file, n)) || n >= sizeof(dir))
		return;
	memcpy(dir, file, n);
	dir[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (i < n && dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			fprintf(stderr, "fbgen: cannot create '%s': %s\n", dir, strerror(errno));
			exit(3);
		}
		if (i < n)
			dir[i] = '/';
	}
	fb_buf_reset(made);
	fb_buf_add(made, file, n);
}

/* Write the tree's files under `dir` with mtime `when`, then the index from their stat data. */
static void write_worktree(const char *dir, int64_t when)
{
	struct fb_buf path = FB_BUF_INIT, full = FB_BUF_INIT, made = FB_BUF_INIT;
	struct timespec times[2] = {{(time_t)when, 0}, {(time_t)when, 0}};
	git_index *idx;
	size_t i;

	collect_files(&GO.root, &path);
	qsort(wfiles, nwfiles, sizeof(*wfiles), cmp_wfile);
	if (git_repository_index(&idx, GO.repo) < 0)
		git_die("opening the index");
	for (i = 0; i < nwfiles; i++) {
		git_odb_object *obj;
		git_index_entry e;
		struct stat st;
		const char *data;
		size_t len, off = 0;
		int fd;

		fb_buf_reset(&full);
		fb_buf_addf(&full, "%s/%s", dir, wfiles[i].path);
		make_parents(full.ptr, &made);
		if (git_odb_read(&obj, GO.odb, &wfiles[i].oid) < 0)
			git_die("reading a blob back");
		data = git_odb_object_data(obj);
		len = git_odb_object_size(obj);
		fd = open(full.ptr, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0)
			goto io_error;
		while (off < len) {
			ssize_t w = write(fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto io_error;
			off += (size_t)w;
		}
		if (futimens(fd, times) < 0 || fstat(fd, &st) < 0 || close(fd) < 0)
			goto io_error;
		git_odb_object_free(obj);

		memset(&e, 0, sizeof(e));
		e.ctime.seconds = (int32_t)st.st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)st.st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)st.st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)st.st_mtim.tv_nsec;
		e.dev = (uint32_t)st.st_dev;
		e.ino = (uint32_t)st.st_ino;
		e.mode = GIT_FILEMODE_BLOB;
		e.uid = (uint32_t)st.st_uid;
		e.gid = (uint32_t)st.st_gid;
		e.file_size = (uint32_t)st.st_size;
		git_oid_cpy(&e.id, &wfiles[i].oid);
		e.path = wfiles[i].path;
		if (git_index_add(idx, &e) < 0)
			git_die("adding an index entry");
	}
	if (git_index_write(idx) < 0)
		git_die("writing the index");
	git_index_free(idx);
	fb_buf_release(&path);
	fb_buf_release(&full);
	fb_buf_release(&made);
	return;
io_error:
	fprintf(stderr, "fbgen: cannot write '%s': %s\n", full.ptr, strerror(errno));
	exit(3);
}

/* ------------------------------------------------------------------ */
/* Command line.                                                       */

static const char usage_text[] =
    "usage: fbgen --out DIR [--seed S] [--contacts N] [--visits N] [--assessments N]\n"
    "             [--commits M] [--demo] [--schemas DIR] [--no-mess] [-v]\n"
    "\n"
    "Write a complete fieldbook repository with M+1 commits into DIR (new or empty).\n"
    "Defaults: 100000 contacts, 50000 visits, 5000 assessments, 20000 commits, seed 1;\n"
    "--demo: 160 contacts, 270 visits, 90 assessments, 60 commits, seed 1403, and the\n"
    "demo layout (flat contacts and assessments, visits by Jalali year).\n";

static long parse_count(const char *opt, const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > max) {
		fprintf(stderr, "fbgen: bad value for %s: '%s' (expected 0..%ld)\n", opt, arg, max);
		exit(2);
	}
	return v;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* DIR must not exist, or be an empty directory. */
static void check_out_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return;
		fprintf(stderr, "fbgen: cannot use '%s': %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			fprintf(stderr, "fbgen: '%s' is not empty; refusing to write into it\n",
				dir);
			exit(2);
		}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of the schemas folder, in name order, read before anything is written. */
struct schema_files {
	struct fb_strvec names;
	struct fb_buf *content;
};

static void load_schemas(const char *dir, struct schema_files *sf)
{
	struct fb_buf path = FB_BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t i, n;

	if (!d) {
		fprintf(stderr, "fbgen: cannot read schemas from '%s': %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d))) {
		n = strlen(de->d_name);
		if (de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".yaml"))
			fb_strvec_push(&sf->names, de->d_name);
	}
	closedir(d);
	if (!sf->names.n) {
		fprintf(stderr, "fbgen: no *.yaml schemas in '%s'\n", dir);
		exit(2);
	}
	qsort(sf->names.v, sf->names.n, sizeof(*sf->names.v), cmp_str);
	sf->content = fb_calloc(sf->names.n, sizeof(*sf->content));
	for (i = 0; i < sf->names.n; i++) {
		fb_buf_init(&sf->content[i]);
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%s", dir, sf->names.v[i]);
		if (fb_buf_read_file(&sf->content[i], path.ptr, 0) < 0) {
			fprintf(stderr, "fbgen: cannot read '%s': %s\n", path.ptr, strerror(errno));
			exit(2);
		}
	}
	fb_buf_release(&path);
}

static void put_schemas(struct schema_files *sf)
{
	struct fb_buf path = FB_BUF_INIT;
	size_t i;

	for (i = 0; i < sf->names.n; i++) {
		fb_buf_reset(&path);
		fb_buf_addf(&path, "schemas/%s", sf->names.v[i]);
		put_file(path.ptr, &sf->content[i]);
		fb_buf_release(&sf->content[i]);
	}
	free(sf->content);
	fb_strvec_release(&sf->names);
	fb_buf_release(&path);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"contacts", required_argument, NULL, 'c'},
	    {"visits", required_argument, NULL, 'V'},
	    {"assessments", required_argument, NULL, 'a'},
	    {"commits", required_argument, NULL, 'm'},
	    {"demo", no_argument, NULL, 'd'},
	    {"schemas", required_argument, NULL, 'S'},
	    {"no-mess", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *schemas = "schemas";
	long ncontacts = -1, nvisits = -1, nassess = -1, ncommits = -1;
	unsigned long long seed = 0;
	bool have_seed = false, verbose = false;
	double t0 = now_seconds(), t1;
	int opt;
	struct fb_buf msg = FB_BUF_INIT;
	struct schema_files sf = {{NULL, 0, 0}, NULL};
	int64_t t_init;

	while ((opt = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 's': {
			char *end;
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "fbgen: bad seed '%s'\n", optarg);
				return 2;
			}
			have_seed = true;
			break;
		}
		case 'c':
			ncontacts = parse_count("--contacts", optarg, 5000000);
			break;
		case 'V':
			nvisits = parse_count("--visits", optarg, 5000000);
			break;
		case 'a':
			nassess = parse_count("--assessments", optarg, 5000000);
			break;
		case 'm':
			ncommits = parse_count("--commits", optarg, 5000000);
			break;
		case 'd':
			G.demo = true;
			break;
		case 'S':
			schemas = optarg;
			break;
		case 'n':
			opt_mess = false;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (!out || optind < argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (ncontacts < 0)
		ncontacts = G.demo ? 160 : 100000;
	if (nvisits < 0)
		nvisits = G.demo ? 270 : 50000;
	if (nassess < 0)
		nassess = G.demo ? 90 : 5000;
	if (ncommits < 0)
		ncommits = G.demo ? 60 : 20000;
	if (!have_seed)
		seed = G.demo ? 1403 : 1;
	if (ncontacts < NCOUNTY) {
		fprintf(
		    stderr,
		    "fbgen: --contacts must be at least %d (a Friday-prayer leader per county)\n",
		    NCOUNTY);
		return 2;
	}
	check_out_dir(out);
	load_schemas(schemas, &sf);

	rng_state = seed;
	G.rec_begin = jday(1402, 1, 1);
	G.rec_end = jday(1403, 12, fb_jalali_month_days(1403, 12));
	G.fu_cutoff = G.rec_end - 60;
	G.hist_begin = jday(1402, 1, 16);
	G.hist_end = G.demo ? jday(1403, 12, 25) : jday(1404, 6, 31);
	t_init = (int64_t)(G.hist_begin - 1) * 86400 + 10 * 3600 - TZ_MINUTES * 60;

	git_libgit2_init();
	emit_init();
	git_out_open(out);
	put_schemas(&sf);
	gen_initial((int)ncontacts, (int)nvisits, (int)nassess);
	fb_buf_puts(&msg,
		    "Import the office's records\n\nCounties, contacts, visits and assessments "
		    "from the office's spreadsheets.\n");
	commit_tree(0, t_init, msg.ptr);
	fb_buf_release(&msg);
	t1 = now_seconds();
	if (verbose)
		fprintf(stderr, "fbgen: initial records: %.2f s, %zu objects\n", t1 - t0,
			GO.objects);
	history((int)ncommits);
	if (verbose)
		fprintf(stderr, "fbgen: history: %.2f s, %zu objects\n", now_seconds() - t1,
			GO.objects);
	t1 = now_seconds();
	git_out_finish();
	if (verbose)
		fprintf(stderr, "fbgen: pack: %.2f s\n", now_seconds() - t1);
	t1 = now_seconds();
	{
		git_commit *head;
		if (git_commit_lookup(&head, GO.repo, &GO.head) < 0)
			git_die("reading HEAD back");
		write_worktree(out, (int64_t)git_commit_time(head));
		git_commit_free(head);
	}
	if (verbose)
		fprintf(stderr, "fbgen: working tree and index: %.2f s, %zu files\n",
			now_seconds() - t1, nwfiles);

	fprintf(stderr,
		"fbgen: %s: %d counties, %zu contacts, %zu visits, %zu assessments; %zu commits, "
		"%zu objects; seed %llu; %.1f s\n",
		out, NCOUNTY, G.live_contacts, G.nv, G.na, GO.commits, GO.objects, seed,
		now_seconds() - t0);

	git_packbuilder_free(GO.pb);
	git_odb_free(GO.odb);
	git_repository_free(GO.repo);
	git_libgit2_shutdown();
	return 0;
}
