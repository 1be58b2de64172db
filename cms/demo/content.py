"""What only the demo adds to the real site (`cms.site_content`): branch addresses, stories and people.

Our own text, written from the facts of the source article; the names are invented.
"""

from typing import Any

from recruiting.models import ApplicantStatus

# The branches' addresses are illustrative: the article gives none, and a real
# installation starts without them (HR enters each branch's own).
BRANCH_ADDRESSES: dict[str, str] = {
    "gangbuk": "서울특별시 강북구 도봉로 315, 6층",
    "gwanghwamun": "서울특별시 종로구 종로 51, 9층",
    "gangnam": "서울특별시 강남구 강남대로 382, 8층",
    "teheran": "서울특별시 강남구 테헤란로 424, 7층",
    "gangseo": "서울특별시 강서구 공항대로 247, 5층",
    "sindorim": "서울특별시 구로구 경인로 662, 10층",
}

# Interviews written from the article's, with invented names: a real site publishes only
# interviews of people who agreed to be named, so these are the demo's.
STORIES: list[dict[str, Any]] = [
    {
        "title": "“고객이 다시 회사를 믿게 되는 순간을 만듭니다”",
        "slug": "branch-manager-interview",
        "person_name": "김서연",
        "role": "지점장",
        "branch": "강서",
        "intro": ("CS지점은 어떤 곳이고, CS RC는 하루를 어떻게 보낼까요? 강서CS지점 김서연 지점장에게 들었습니다."),
        "body": [
            (
                "question_answer",
                {
                    "question": "CS지점은 어떤 곳인가요?",
                    "answer": (
                        "<p>담당 설계사가 그만두면서 관리가 끊긴 고객을 다시 돌보기 위해 만든 지점입니다. "
                        "CS RC들이 고객이 가입한 상품과 서비스를 다시 안내하고, "
                        "보장점검과 제도 변화에 따른 보험 정보를 꾸준히 전해 드립니다. "
                        "기존 고객의 만족을 높이는 것이 저희 지점의 존재 이유예요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "일반 설계사와 가장 다른 점은 무엇인가요?",
                    "answer": (
                        "<p>출발점이 다릅니다. CS RC는 자기가 사는 지역에서 담당 설계사가 없는 "
                        "우리 회사 고객을 연계받아, 그분들의 계약을 관리하는 일부터 시작해요. "
                        "낯선 사람을 찾아 나서는 대신 이미 회사와 인연이 있는 분들을 만난다는 점이 "
                        "가장 큰 차이입니다.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "지점에서 가장 공들이는 일은 무엇인가요?",
                    "answer": (
                        "<p>두 가지예요. 하나는 <strong>꼼꼼한 계약 관리</strong>, "
                        "다른 하나는 <strong>꾸준한 소통</strong>입니다. "
                        "고객이 ‘회사가 나를 챙기고 있구나’ 하고 느끼실 때까지 신뢰를 쌓는 데 "
                        "가장 많은 시간을 들이고, 그 신뢰가 결국 성과와 소개로 돌아옵니다.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "처음 시작하는 분들은 어떻게 준비하나요?",
                    "answer": (
                        "<p>첫 3개월은 보험과 금융 기초, 고객과 소통하는 법, 고객관리, "
                        "태블릿 영업지원 시스템 활용까지 집중해서 배웁니다. "
                        "교육을 마친 4개월 차부터 지역 고객을 연계받으니, "
                        "지식과 자신감을 갖춘 뒤에 고객을 만나게 되지요.</p>"
                    ),
                },
            ),
            (
                "quote",
                {
                    "text": (
                        "새 고객을 찾는 경쟁이 치열한 요즘, 이미 우리를 믿고 가입한 고객에서 "
                        "출발할 수 있다는 것만으로도 큰 힘이 됩니다."
                    ),
                    "attribution": "김서연, 강서CS지점 지점장",
                },
            ),
        ],
    },
    {
        "title": "“가장 중요한 자격은 정성입니다”",
        "slug": "senior-team-leader-interview",
        "person_name": "박정희",
        "role": "수석팀장",
        "branch": "강서",
        "intro": (
            "오랜 시간 고객 곁을 지켜 온 박정희 수석팀장은 CS RC에게 필요한 단 하나를 꼽으라면 ‘정성’이라고 말합니다."
        ),
        "body": [
            (
                "question_answer",
                {
                    "question": "CS RC에게 가장 필요한 자질은 무엇이라고 보시나요?",
                    "answer": (
                        "<p>저는 정성이라고 생각해요. CS지점의 고객 중에는 담당 설계사가 떠난 뒤 "
                        "아무도 연락하지 않아 서운했던 분이 많으세요. "
                        "그 마음을 먼저 헤아리고 한결같이 챙겨 드리는 사람이 결국 신뢰를 얻습니다.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "고객들은 CS RC에게 무엇을 가장 원하나요?",
                    "answer": (
                        "<p>필요할 때 바로 답해 주는 사람이요. 사고가 났을 때, 보험금 청구가 궁금할 때 "
                        "전화를 받고 곧바로 움직여 드리는 것만으로도 고객의 마음이 달라집니다. "
                        "빠른 응대가 곧 정성의 첫걸음이에요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "일하면서 가장 보람 있는 순간은 언제인가요?",
                    "answer": (
                        "<p>힘든 날도 물론 있어요. 그런데 ‘덕분에 든든해요’라는 고객의 한마디를 들으면 "
                        "그동안의 수고가 눈 녹듯 사라집니다. "
                        "들인 노력만큼 보람이 돌아오는 일이라 오래 할 수 있었던 것 같아요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "CS RC라는 일의 또 다른 매력을 꼽는다면요?",
                    "answer": (
                        "<p>시간을 스스로 쓸 수 있다는 점이에요. 고객 약속을 중심으로 일정을 짜다 보니 "
                        "가족 행사나 여행도 미리 계획해서 챙길 수 있어요. "
                        "일과 생활을 함께 꾸려 갈 수 있다는 게 제게는 가장 큰 선물입니다.</p>"
                    ),
                },
            ),
            (
                "quote",
                {
                    "text": "고객의 서운함을 먼저 알아봐 드리는 것, 그게 CS RC가 하는 일의 시작이에요.",
                    "attribution": "박정희, 강서CS지점 수석팀장",
                },
            ),
        ],
    },
    {
        "title": "“내성적인 성격이 오히려 장점이 됐어요”",
        "slug": "team-leader-interview",
        "person_name": "이수진",
        "role": "팀장",
        "branch": "강서",
        "intro": (
            "영업이 두려웠던 CS RC 2기 이수진 팀장. "
            "매일 아침 정보미팅과 ‘하루에 고객 한 분은 꼭 직접 뵙기’가 그를 바꿔 놓았습니다."
        ),
        "body": [
            (
                "question_answer",
                {
                    "question": "CS RC 2기로 시작하셨지요. 어떻게 지원하게 되셨나요?",
                    "answer": (
                        "<p>설계사로 일하는 지인들이 당당하게 일하는 모습이 늘 멋져 보였어요. "
                        "하지만 제가 낯을 많이 가리는 편이라 영업은 엄두가 나지 않았죠. "
                        "그러다 기존 고객을 연계받아 시작하는 CS RC 제도를 알게 됐고, "
                        "용기를 내서 지원했습니다.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "처음에는 어떻게 자신감을 얻으셨나요?",
                    "answer": (
                        "<p>‘기본만 꾸준히 지키면 된다’는 선배들의 말을 믿었어요. "
                        "매일 아침 정보미팅에 한 번도 빠지지 않고 나가서 공부했고, "
                        "선배들에게 고객관리 요령을 하나하나 물어 배웠습니다. "
                        "그렇게 쌓인 것이 자신감이 되더라고요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "매일 빠짐없이 지키는 원칙이 있다고 들었어요.",
                    "answer": (
                        "<p>‘하루에 적어도 고객 한 분은 얼굴을 뵙고 이야기 나누기’예요. "
                        "첫 고객께서 ‘쉽지 않겠지만 꾸준히 하면 꼭 결과가 있을 거예요’라고 "
                        "격려해 주셨는데, 그 말을 잊지 않으려고 시작한 습관입니다. "
                        "제가 노력한 만큼 결과가 나오는 제 일이니까요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "CS RC를 고민하는 분께 해 주고 싶은 말이 있다면요?",
                    "answer": (
                        "<p>교육과 관리, 지원 시스템이 잘 갖춰져 있어서 차근차근 따라가면 "
                        "누구나 해낼 수 있어요. 그 위에 성실함 하나만 더하시면 됩니다. "
                        "세심한 성격이라면 오히려 고객을 더 잘 배려하는 강점이 될 거예요.</p>"
                    ),
                },
            ),
            (
                "quote",
                {
                    "text": "요즘은 ‘왜 좀 더 일찍 시작하지 않았을까’ 하는 생각을 해요.",
                    "attribution": "이수진, 강서CS지점 팀장 (CS RC 2기)",
                },
            ),
        ],
    },
    {
        "title": "“이제야 진짜 ‘내 일’을 찾았어요”",
        "slug": "second-year-consultant-interview",
        "person_name": "최민정",
        "role": "2년 차 CS RC",
        "branch": "강서",
        "intro": (
            "오랫동안 살림과 육아에만 전념하던 최민정 CS RC. "
            "2년 차가 된 지금, 왜 이 일을 골랐는지와 고객을 대하는 노하우를 들려줍니다."
        ),
        "body": [
            (
                "question_answer",
                {
                    "question": "CS RC에 도전하게 된 계기가 궁금합니다.",
                    "answer": (
                        "<p>결혼 뒤 전업주부로 지내면서 ‘그럼 내 인생은?’ 하는 질문이 자꾸 들었어요. "
                        "자격증도 따고 사무직으로 일해 보기도 했지만, 아이가 아파도 자리를 비울 수 없는 "
                        "생활이 힘들었고 진짜 내 일이라는 느낌도 없었죠. "
                        "그러다 지인의 소개로 CS RC를 알게 됐습니다.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "직접 해 보니 어떠셨나요?",
                    "answer": (
                        "<p>마침 저희 집도 보험을 정리해야 할 때라, 교육을 받으며 하나씩 알아 가는 게 "
                        "정말 재미있었어요. 지금은 10대부터 70대까지 다양한 삶을 사는 고객들을 만나며 "
                        "제가 오히려 많이 배웁니다. 저한테 꼭 맞는 일을 찾은 것 같아요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "나만의 고객관리 노하우를 알려 주세요.",
                    "answer": (
                        "<p>고객은 언제든 거절하실 수 있다는 걸 당연하게 받아들이고 만나요. "
                        "제 욕심이 아니라 도움을 드린다는 마음으로 다가가고, "
                        "고객의 이야기를 천천히 끝까지 들으면서 관심사와 필요를 찾습니다. "
                        "그에 맞는 보험과 서비스를 안내하려다 보니 공부도 저절로 더 하게 돼요.</p>"
                    ),
                },
            ),
            (
                "question_answer",
                {
                    "question": "일을 시작한 뒤 생활에서 달라진 점이 있나요?",
                    "answer": (
                        "<p>가계의 짐을 함께 나눌 수 있게 된 것, 그리고 아이가 하고 싶어 하는 공부를 "
                        "망설이지 않고 밀어줄 수 있게 된 것이 가장 커요. "
                        "시간을 제가 조절할 수 있으니 가족을 챙기는 일도 놓치지 않습니다. "
                        "무엇보다 제 삶을 스스로 꾸려 간다는 느낌이 좋아요.</p>"
                    ),
                },
            ),
            (
                "quote",
                {
                    "text": (
                        "회사가 고객을 이어 주니, 저는 도와드린다는 마음으로 만나기만 하면 돼요. "
                        "망설이고 계신다면 꼭 한번 도전해 보세요."
                    ),
                    "attribution": "최민정, 강서CS지점 2년 차 CS RC",
                },
            ),
        ],
    },
]

ROUND = {
    "title": "2027년 1월 입과 CS RC 모집",
    "capacity": 30,
}

# Demo applicants of the open round and the stages each is moved through (DESIGN §7:
# applicants in every stage). Names are common Korean names, not real people.
BOOKED = ApplicantStatus.CONSULTATION_BOOKED
CONSULTED = ApplicantStatus.CONSULTED
INTERVIEW = ApplicantStatus.INTERVIEW
ACCEPTED = ApplicantStatus.ACCEPTED
REJECTED = ApplicantStatus.REJECTED
WITHDRAWN = ApplicantStatus.WITHDRAWN
DEMO_APPLICANTS: list[tuple[str, list[str]]] = [
    ("이서연", []),
    ("김민지", []),
    ("박지현", []),
    ("최수진", []),
    ("정은영", []),
    ("강혜진", []),
    ("조미경", [BOOKED]),
    ("윤정아", [BOOKED]),
    ("장수경", [BOOKED]),
    ("임지은", [BOOKED]),
    ("한소영", [BOOKED, CONSULTED]),
    ("오세진", [BOOKED, CONSULTED]),
    ("서윤희", [BOOKED, CONSULTED]),
    ("신미라", [BOOKED, CONSULTED, INTERVIEW]),
    ("권나영", [BOOKED, CONSULTED, INTERVIEW]),
    ("황보라", [BOOKED, CONSULTED, INTERVIEW]),
    ("안혜원", [BOOKED, CONSULTED, INTERVIEW, ACCEPTED]),
    ("송지영", [BOOKED, CONSULTED, INTERVIEW, ACCEPTED]),
    ("유경희", [BOOKED, CONSULTED, INTERVIEW, ACCEPTED]),
    ("홍선희", [BOOKED, CONSULTED, INTERVIEW, ACCEPTED]),
    ("전미숙", [REJECTED]),
    ("고은정", [BOOKED, CONSULTED, REJECTED]),
    ("문현주", [BOOKED, CONSULTED, INTERVIEW, REJECTED]),
    ("양희정", [WITHDRAWN]),
    ("손유진", [BOOKED, WITHDRAWN]),
    ("배진희", []),
    ("백승아", [BOOKED]),
    ("허윤서", [BOOKED, CONSULTED]),
]
# The way every trainee and graduate of the demo cohorts came in.
PATH_TO_ACCEPTANCE = [BOOKED, CONSULTED, INTERVIEW, ACCEPTED]
DEMO_MOTIVATIONS = [
    "아이가 학교에 다니기 시작해서 오전 시간을 활용해 일하고 싶습니다.",
    "예전에 은행 창구에서 일한 경험을 살리고 싶습니다.",
    "개척 영업이 아니라 기존 고객을 관리하는 일이라 지원했습니다.",
    "",
]

PAST_ROUND_TITLE = "2026년 10월 입과 CS RC 모집"
# The trainees of the demo cohort in training (12기).
DEMO_TRAINEES = [
    "김지영",
    "이수연",
    "박미정",
    "최윤희",
    "정다은",
    "강현주",
    "조은비",
    "윤서영",
    "장미란",
    "임소희",
    "한지혜",
    "오민경",
]

GRADUATED_ROUND_TITLE = "2026년 6월 입과 CS RC 모집"
# The graduates of the demo cohort that finished its training (11기).
DEMO_GRADUATES = ["김민진", "이은주", "박소연", "최혜원", "정유나", "한수정"]
