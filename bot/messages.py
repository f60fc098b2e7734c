"""Every user-visible string, in one place so wording stays consistent and can be translated."""

from __future__ import annotations

MAX_MESSAGE_CHARS = 4000

# General
EMPTY_MESSAGE = (
    "I got an empty message. Ask me a question, or type `/learn help` to see what I can do."
)
TOO_LONG = (
    "That message is {length:,} characters long; I read at most {limit:,}. "
    "Please shorten it, or split it into separate questions."
)
UNKNOWN_COMMAND = "I don't know `/learn {name}`."
DID_YOU_MEAN = "Did you mean `/learn {suggestion}`?"
SEE_HELP = "Type `/learn help` to see every command you can use."
MISSING_ARGS = "`/learn {name}` needs more: {usage}"
NOT_ALLOWED = "`/learn {name}` is for {role}s only. {see_help}"
STALE_BUTTON = "That button has expired. Type `/learn help` to start again."
QUESTION_CLOSED = "That question is closed; it was already answered or the dialog moved on."
NOT_YOUR_DIALOG = "That button belongs to someone else's conversation with me, so I ignored it."
INTERNAL_ERROR = "Something went wrong on my side and nothing was changed. Please try again."
CHANNEL_HINT = "Mention me with a question, or use `/learn help`."

# Help
HELP_TITLE = "Here is what you can ask me"
HELP_FOOTER = "Or just ask a question in plain words, like _How do I request leave?_"

# Onboarding
WELCOME = (
    "Hi {name}! I'm **learnbot**. I help you learn what your role needs, skip what you "
    "already know, and answer questions from the company's learning library."
)
PRIVACY = (
    "**Privacy, in plain words:** I store your profile (role, goals, preferences, time zone, "
    "working hours), your quiz answers and progress, and the questions you ask me, so I can "
    "plan your learning. Your manager sees your progress, not your answers. "
    "`/learn my-data` sends you everything I hold about you; `/learn forget-me` deletes it."
)
ASK_ROLE = "First, what is your role? Pick one or type it (for example _Support agent_)."
ASK_GOALS = "What would you like to get better at? Pick any that apply, or type your own goals."
ASK_FORMAT = "How do you prefer to learn?"
ASK_SESSION = "How long should a learning session be?"
ASK_TIMEZONE = "Is your time zone **{tz}**? If not, type yours (for example Europe/Paris)."
ASK_HOURS = "When do you usually work? Pick a range or type one like 08:30-16:30."
PICK_AN_OPTION = "Please pick one of the options above, or type your answer."
ONBOARDING_DONE = "All set, {name}! You can change any of this with `/learn profile`."
ONBOARDING_LATER = "No problem. Type `/learn start` whenever you want to set things up."
ONBOARDING_RESUME = "Let's pick up where we left off."
NEXT_STEPS = "Try `/learn quiz` to find out what you already know, or ask me anything."

# Profile
PROFILE_TITLE = "Your profile"
PROFILE_UPDATED = "Updated your {field}."
PROFILE_FIELDS_HELP = (
    "Change a field with `/learn profile set FIELD VALUE`. Fields: role, goals, format, "
    "session, timezone, hours, days, quiet, nudges-per-day, nudges-per-week."
)
UNKNOWN_PROFILE_FIELD = "There is no profile field '{field}'. " + PROFILE_FIELDS_HELP

# Questions
NO_LIBRARY = "The learning library is empty, so I can't answer questions from it yet."

# Roles
ROLE_NAMES = {"learner": "learner", "manager": "manager", "admin": "admin"}

# Quizzes, mastery checks and exemptions
TAKE_INTAKE_QUIZ = "Take the 5-minute intake quiz"
QUIZ_NO_ITEMS = (
    "There are no quiz questions yet. An admin can add some with `learnbot quiz import FILE`."
)
QUIZ_NO_ITEMS_FOR = "There are no quiz questions for **{title}** yet."
QUIZ_UNKNOWN_COMPETENCY = (
    "I don't know the competency '{name}'. Competencies with questions: {valid}."
)
QUIZ_INTRO = (
    "This quiz covers **{titles}**. I pick each question from your previous answers, so it "
    "stops as soon as I can tell what you already know. If you don't know an answer, say so: "
    "a guess only makes the result less accurate. You can pause at any time."
)
CHECK_INTRO = (
    "A short check on **{title}**: {count} questions at most. Pass it and you can move on."
)
QUIZ_PROGRESS = "Question {number}, about {left} to go"
QUIZ_PROGRESS_LAST = "Question {number}, probably the last one"
QUIZ_PICK_ALL = "More than one answer is right: select every one that applies, then submit."
QUIZ_SUBMIT = "Submit answer"
QUIZ_IDK = "I don't know"
QUIZ_PAUSE = "Pause"
QUIZ_PAUSED = (
    "Paused. Your answers so far are saved; type `/learn quiz` (or `/learn check` for a check) "
    "whenever you want to continue."
)
QUIZ_RESUMED = "Welcome back! Here is where you stopped."
QUIZ_USE_BUTTONS = (
    "Please answer with the buttons under the question (in the terminal, type the option's "
    "number), or choose _I don't know_ or _Pause_."
)
QUIZ_PICK_SOMETHING = "Select at least one answer, or choose _I don't know_."
QUIZ_CORRECT = "✅ **Correct.**"
QUIZ_WRONG = "❌ **Not quite.** The answer: {answer}."
QUIZ_DONT_KNOW = "No problem. The answer: {answer}."
QUIZ_YOUR_ANSWER = "Your answer: {answer}"
QUIZ_RESULTS_TITLE = "Your results"
QUIZ_RESULT_LINE = "{verdict} · {count} questions"
VERDICT_MASTERED = "likely mastered ({pct}% sure)"
VERDICT_NOT_MASTERED = "not mastered yet ({pct}% sure)"
VERDICT_UNDETERMINED = "not enough evidence yet ({pct}% chance you have mastered it)"
QUIZ_EXEMPTED = (
    "You're exempt from the modules of **{titles}**. The evidence (questions, answers, "
    "estimate) is recorded, and an admin can review it."
)
QUIZ_EXEMPTION_REVOKED = (
    "An admin asked that you study **{titles}** anyway, so I did not exempt you from it."
)
QUIZ_UNDETERMINED_HINT = (
    "Where there isn't enough evidence yet, I need more answers before deciding; the modules "
    "stay on your path for now."
)
QUIZ_NEXT = "Study what is not mastered yet; `/learn check COMPETENCY` tests you again afterwards."
CHECK_PASSED = "🎉 Check passed: **{title}** is {verdict}."
CHECK_FAILED = (
    "Not yet: **{title}** is {verdict}. A pass needs at least a {needed}% chance of mastery; "
    "you are at {pct}%."
)
CHECK_REVIEW_TITLE = "Worth reviewing"
CHECK_REVIEW_ITEM = "_{stem}_ {explanation}"
CHECK_REVIEW_MODULE = "Review **{module}**{sections}."
CHECK_RETRY = "When you have reviewed it, take the check again with `/learn check {competency}`."
CHECK_RETRY_BUTTON = "Retry the check"
CHECK_ESCALATED = (
    "That is {count} checks on **{title}** in a row without a pass, so I have asked your coach "
    "to help: a person will follow up with you."
)
CHECK_ESCALATED_NO_COACH = (
    "That is {count} checks on **{title}** in a row without a pass. Please talk to your "
    "manager about it: a person can help where more practice did not."
)
COACH_TITLE = "{name} could use help with {title}"
COACH_TEXT = (
    "{name} did not pass the mastery check on **{title}** {count} times in a row. "
    "Please reach out to them."
)
COACH_ATTEMPTS = "Failed checks"
COACH_MISSED = "Questions missed"
COACH_MODULES = "Modules seen"
COACH_NONE = "none recorded"
CHECK_UNKNOWN_MODULE = "There is no module '{module}' for that competency. Its modules: {modules}."
