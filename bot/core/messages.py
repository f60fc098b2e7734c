"""Every user-visible string, in one place so wording stays consistent and can be translated."""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 4000
_AN_NUMBER = re.compile(r"^(8|1[18](\d{3})*$|1[18](,\d{3})+$)")


def plural(count: int, word: str, many: str = "") -> str:
    """A count with its noun: "1 step", "3 steps", "1 person", "2 people" (`many` when the
    plural is not `word` + "s")."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def article(word: object) -> str:
    """ "a" or "an" for how the word or number is said: "an 80%", "an 8-minute", "an 11",
    "an intensive", "a 9", "a relaxed"."""
    text = str(word).strip()
    if text[:1].isdigit():
        return "an" if _AN_NUMBER.match(text) else "a"
    return "an" if text[:1].lower() in "aeiou" else "a"


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
SEARCH_REDUCED = (
    "Search is running in a reduced mode right now (word matching only), so this may be "
    "less precise than usual."
)
DATABASE_UNAVAILABLE = (
    "I can't reach my database right now (it may be restarting). Please try again in a moment."
)
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
ROLE_EMPTY = "Please tell me your role, for example Support agent."
UNKNOWN_ROLE = "I don't know the role '{role}'. Pick one of the buttons, or type one of: {known}."
UNKNOWN_GOAL = (
    "I don't know the goal '{goal}'. Goals are competencies; pick from the list or type some "
    "of: {known} (separated by commas), or type skip."
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
ONBOARDING_YOUR_QUESTION = "Now, your first message: _{question}_"
ONBOARDING_RESUME = "Let's pick up where we left off."
FIRST_LESSON = "Your first lesson is ready: **{title}** (about {minutes})."
FIRST_LESSON_OR_QUIZ = (
    "Or take the intake quiz first: it asks only where an answer can take modules off your path."
)
START_FIRST_LESSON = "Start the first lesson"
NEXT_STEPS = "Try `/learn quiz` to find out what you already know, or ask me anything."

# Profile
PROFILE_TITLE = "Your profile"
PROFILE_UPDATED = "Updated your {field}."
# How a profile field is named in a sentence, where its command name reads badly.
PROFILE_FIELD_NAMES = {
    "quiet": "quiet hours",
    "hours": "working hours",
    "days": "working days",
    "session": "session length",
    "format": "preferred format",
    "nudges-per-day": "nudges per day",
    "nudges-per-week": "nudges per week",
}
PROFILE_FIELDS_HELP = (
    "Change a field with `/learn profile set FIELD VALUE`. Fields: role, goals, format, "
    "session, pace, timezone, hours, days, quiet, nudges-per-day, nudges-per-week."
)
UNKNOWN_PROFILE_FIELD = "There is no profile field '{field}'. " + PROFILE_FIELDS_HELP

# Questions
NO_LIBRARY = "The learning library is empty, so I can't answer questions from it yet."

# Roles
ROLE_NAMES = {"learner": "learner", "manager": "manager", "admin": "admin"}

# Answers
HELPFUL = "Helpful"
NOT_HELPFUL = "Not helpful"
OPEN_MODULE = "Open {title}"
NO_ANSWER = (
    "I couldn't find an answer to that in the learning library, so I won't guess. "
    "I've noted the question for the content team."
)
THANKS_FEEDBACK = "Thanks, noted. It helps improve the library."
THANKS_NOT_HELPFUL = (
    "Thanks, noted. That passage will count less for questions like yours, and the content "
    "team sees the question in its gap log."
)
FEEDBACK_UNKNOWN = (
    "I no longer have that answer on record, so the feedback was not stored. "
    "Ask the question again and rate the new answer."
)

# Files sent to the bot
FILE_TOO_BIG = "{name} is larger than {limit} MB, the upload limit, so I didn't download it."
FILE_UNREADABLE = "I couldn't download {name}. Please send it again."
UPLOAD_ADMINS_ONLY = (
    "Only admins can add files to the learning library. You can send me a calendar (.ics) file."
)
FILE_KIND_UNSUPPORTED = (
    "I can't import {name}: send content (Markdown, HTML, PDF, DOCX, text), a quiz bank "
    "(GIFT, Aiken, CSV, YAML), a competency framework (YAML), an org chart (CSV) or a "
    "calendar (.ics)."
)
UPLOAD_FAILED = "Nothing was added: {error}"
UPLOAD_UNCHANGED = "{name} is already in the library, unchanged."
UPLOAD_DONE = "Added {name} to the library ({sections} indexed). Learners can ask about it now."
# Learning paths
PATH_TITLE = "Your learning path"
PATH_SUMMARY = (
    "{steps} to study, about {minutes} min in {sessions} of up to {session} min "
    "(about {weeks} at {a_pace} {pace} pace)."
)
PATH_EMPTY = (
    "There is nothing to study in your path right now. Set your role with "
    "`/learn profile set role ROLE` or your goals with `/learn profile set goals ...`."
)
PATH_NO_MODULES = (
    "Your path is empty: the library has no modules for your role and goals yet. "
    "Ask an admin to add some."
)
PATH_COMPLETE = "You have finished every step of your path. Well done!"
PATH_SESSION = "**Session {number}** · about {minutes} min"
PATH_LEFT_OUT = "Done or not needed"
PATH_WHY_HINT = "Tap Why? on a step, or type `/learn path why MODULE`, to see the full reasoning."
PATH_LIBRARY_WARNINGS = "Library problems worked around ({count}): {first}"
WHY_BUTTON = "Why?"
WHY_TITLE = "Why {title}?"
STATUS_LABELS = {
    "todo": "to do",
    "done": "done",
    "unverified": "done, not verified",
    "exempt": "not needed",
    "due": "due",
    "overdue": "overdue",
}
STEP_LINE = "{minutes} min · {format} · {status}{skipped}"
STATUS_DUE = "due {date}"
STATUS_OVERDUE = "overdue since {date}"
STEP_SKIPPED = " · skipped for now"
NEXT_TITLE = "Next: {title}"
OPEN_STEP_MODULE = "Open the module"
MARK_DONE = "Mark done"
TAKE_CHECK = "Take the mastery check"
TEST_OUT = "Test out now"
CHECKS_NOT_AVAILABLE = "Mastery checks are not available yet, so I can't test you on this one."
NOT_IN_PATH = "'{module}' is not in your path. Type `/learn path` to see your steps."
NO_CURRENT_STEP = "There is no step to mark done. Type `/learn path` to see your path."
MARKED_DONE = "Marked **{title}** done."
ALREADY_DONE = "**{title}** was already marked done on {date}."
DONE_NEEDS_CHECK = (
    "**{title}** is completed by passing its mastery check. Take it now, or mark the module "
    "done without the check: it then shows as done, not verified."
)
DONE_WITHOUT_CHECK = "Done without check"
MARKED_UNVERIFIED = "Marked **{title}** done, not verified: pass its mastery check to verify it."
UP_NEXT = "Up next: **{title}** ({minutes} min). Type `/learn next` when you are ready."
SKIPPED = "OK, **{title}** is skipped for now: it moves as late in your path as it can."
SKIP_OFFER = "Already know it? Pass its mastery check to test out of it."
SKIP_NO_CHECK = (
    "Mastery checks are not available yet, so you can't test out of it; it stays in your path."
)
CANNOT_SKIP_REQUIRED = (
    "**{title}** is required for your role{due}, so it can't be skipped. "
    "An admin can waive it if there is a good reason."
)
CANNOT_SKIP_DONE = "**{title}** is already done; there is nothing to skip."
CANNOT_SKIP_EXEMPT = "**{title}** is already left out of your path: {reason}"
NO_SUCH_STEP = "There is no module '{module}' in the library. Type `/learn path` to see your steps."
PROGRESS_TITLE = "Your progress"
PROGRESS_PATH = "Path completed"
PROGRESS_COUNTS = "{done} of {total} done; about {minutes} min left."
PROGRESS_UNVERIFIED = "Done, not verified (mastery check not passed): {titles}."
PROGRESS_NO_EVIDENCE = "{title} (no evidence yet)"
PROGRESS_EXEMPT = "{title} (exempt)"
PROGRESS_COMPLETED = "{title} (modules completed; no check exists)"
PROGRESS_NONE = "Nothing to show yet: set your role or goals, then type `/learn path`."
STREAK = "Streak: {days} in a row with learning activity."
STREAK_NONE = "No streak yet: study a step today to start one."
# Quizzes, mastery checks and exemptions
TAKE_INTAKE_QUIZ = "Take the intake quiz"
QUIZ_NO_ITEMS = (
    "There are no quiz questions yet. An admin can add some with `learnbot quiz import FILE`."
)
FRAMEWORK_UNCOVERED = (
    "No questions in the item bank cover {count}: {listed}. No quiz or check can be given "
    "on them, and as prerequisites they are met by completing their modules."
)
QUIZ_NO_ITEMS_FOR = "There are no quiz questions for **{title}** yet."
QUIZ_COMPETENCY_UNCOVERED = (
    "**{title}** has no questions in the item bank, so there is no quiz or check on it. "
    "Completing its modules is what counts for it; an admin can add questions with "
    "`learnbot quiz import FILE`."
)
QUIZ_UNKNOWN_COMPETENCY = (
    "I don't know the competency '{name}'. Competencies with questions: {valid}."
)
QUIZ_INTRO = (
    "This quiz covers **{titles}**. I pick each question from your previous answers, so it "
    "stops as soon as I can tell what you already know. If you don't know an answer, say so: "
    "a guess only makes the result less accurate. You can pause at any time."
)
CHECK_INTRO = "A short check on **{title}**: {questions} at most. Pass it and you can move on."
QUIZ_PROGRESS = "Question {number}, about {left} to go"
QUIZ_PROGRESS_LAST = "Question {number}, probably the last one"
QUIZ_PICK_ALL = "More than one answer is right: select every one that applies, then submit."
QUIZ_SUBMIT = "Submit answer"
QUIZ_IDK = "I don't know"
QUIZ_NEW_TO_THIS = "I'm new to {topic}"
QUIZ_NEW_NOTED = (
    "Noted: you're new to **{title}**. No more questions on it; its modules stay on your path."
)
QUIZ_RESULT_NEW = "you said you're new to it · its modules stay"
QUIZ_RESULT_NOT_ASKED = "not asked: its modules are short next to the questions it would take"
INTAKE_NOT_OFFERED = (
    "Already know some of this? `/learn quiz TOPIC` tests you on any topic, and what you "
    "master comes off your path."
)
INTAKE_NOTHING_TO_ASK = (
    "Nothing is worth asking right now: the modules on your path are short next to the "
    "questions it would take to skip them. Your path keeps them all; `/learn path` shows it."
)
# Path reasons for a competency nothing measured (clauses after "... and").
REASON_SAID_NEW = "you said you're new to it, so its modules stay"
REASON_NOT_ASKED = (
    "not asked in the intake quiz: its modules are short compared to the questions it would take"
)
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
QUIZ_RESULT_LINE = "{verdict} · {questions}"
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
CHECK_PASSED_STEP_DONE = "**{title}** is marked done. Type `/learn next` for your next step."
CHECK_FAILED = (
    "Not yet: **{title}** is {verdict}. A pass needs at least {a_needed} {needed}% chance of "
    "mastery; you are at {pct}%."
)
CHECK_REVIEW_TITLE = "Worth reviewing"
CHECK_REVIEW_ITEM = "_{stem}_ {explanation}"
CHECK_REVIEW_MODULE = "Review **{module}**{sections}."
CHECK_REVIEW_CARDS = "Review **{module}**: {cards} of its lesson{sections}."
CHECK_REVIEW_BUTTON = "Review card {n} of {title}"
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
# Microsoft Teams
TEAMS_NOT_SUPPORTED = (
    "I can't do that from here yet. Send me a message, or type `/learn help` to see what I can do."
)
TEAMS_FILE_TOO_BIG = (
    "**{name}** is {size:.1f} MB; I accept files up to {limit:.0f} MB. "
    "Please split it or share a smaller file."
)
TEAMS_FILE_UNREADABLE = "I couldn't download **{name}** from Teams. Please send it again."
TEAMS_FILE_NOT_SENT = (
    "**{name}** ({size}) is ready, but I can't attach files to Teams messages yet. "
    "An admin can get it from the learnbot command line."
)
TEAMS_IMAGE_OMITTED = "Image: {alt} (too large to show in Teams)"
# Slack
LOOKING_UP = "Looking that up…"
ANSWER_IN_DM = "I'll answer in our direct messages."
NOT_INSTALLED = (
    "learnbot is not installed in this workspace any more. Ask an admin to reinstall it."
)
UPLOAD_TOO_BIG = (
    "That file is {size:,} bytes; I take files up to {limit:,} bytes "
    "(LEARNBOT_MAX_UPLOAD_MB), so I did not download it."
)
UPLOAD_SIZE_UNKNOWN = "Slack did not tell me the size of that file, so I did not download it."
UPLOAD_NOT_ON_SLACK = "That file is not stored on Slack, so I did not download it."
UPLOAD_READ_TOO_BIG = "The file is larger than {limit:,} bytes, so I stopped reading it."
SLACK_DOWNLOAD_FAILED = "Downloading the file from Slack failed. Please share it again in a minute."
HOME_TITLE = "Your learning with learnbot"
HOME_PROFILE = "Your profile"
HOME_PATH = "Your path"
HOME_STUDY = "Continue learning"
HOME_PATH_NONE = "Your learning path is not available yet."
HOME_PROGRESS = "Progress"
HOME_PROGRESS_NONE = "No progress to show yet: answer a quiz or finish a module to see it here."
HOME_NEXT_NUDGE = "Next nudge"
HOME_NEXT_NUDGE_NONE = "No nudge is scheduled yet."
HOME_NOT_ONBOARDED = "You have not set up your profile yet: send me a message to start."
HOME_HINT = "Send me a direct message with a question, or type `/learn help`."
# Nudges: why now
WHY_REVIEW = (
    "{count} of your quiz answers are fading: your chance of recalling them is now below "
    "{target:.0%}. {A_minutes} {minutes}-minute review now keeps them."
)
WHY_REVIEW_ONE = (
    "One of your quiz answers is fading: your chance of recalling it is now below {target:.0%}. "
    "{A_minutes} {minutes}-minute review now keeps it."
)
WHY_NEXT_STEP = "You have {free} free minutes now; next on your path: {title} ({minutes} min)."
WHY_REQUIRED = "Required training {title} is due {when}; it takes about {minutes}."
WHY_REQUIRED_OVERDUE = "Required training {title} was due {when}; it is overdue."
WHY_JIT = "“{event}” is {when}: {title} ({minutes} min) prepares you for it."
WHEN_TODAY = "today"
WHEN_TOMORROW = "tomorrow"
WHEN_ON = "on {day:%a} {day.day} {day:%b}"
WHEN_AT = "{when} at {time:%H:%M}"
WHEN_IN_DAYS = "{when} (in {days} days)"
REVIEW_TITLE = "Quick review"

# Nudges: the message and its buttons
NUDGE_KIND_TITLES = {
    "review": "Time for a quick review",
    "next_step": "Your next step",
    "required": "Required training",
    "just_in_time": "Before your event",
    "gap_answered": "The library now answers your question",
}
GAP_NOTICE = "You asked “{question}” on {date}: the library now answers it.\n\n{answer}"
GAP_NOTICE_CITE = "Source: [{title} › {section}]({link})"
GAP_NOTICE_OPEN = "Open the module"
GAP_NOTICE_FOOTER = (
    "Notices like this follow your nudge settings: quiet hours, `/learn pause` and Stop nudges."
)
NUDGE_START = "Start"
NUDGE_SNOOZE = "Snooze 1 hour"
NUDGE_NOT_TODAY = "Not today"
NUDGE_FEWER = "Fewer like this"
NUDGE_STOP = "Stop nudges"
NUDGE_FOOTER = "About {minutes} min. `/learn nudges` shows what is planned and why."
NUDGE_RESENT = "(sent again after an interruption)"

# Calendar
CALENDAR_IMPORTED = (
    "Imported your calendar: {events} in the next {days}, {busy} of them busy. "
    "I plan nudges around your busy times and keep only times, titles and descriptions."
)
CALENDAR_SUBSCRIBED = (
    "Subscribed to your calendar feed: {events} in the next {days}, {busy} of them busy. "
    "I refresh it every {hours}; `/learn calendar off` removes it."
)
CALENDAR_SKIPPED = "Left out {skipped} without a start time."
CALENDAR_REMOVED = "Removed your calendar and every event I had from it."
CALENDAR_NONE = (
    "You have no calendar connected. Send me an .ics file, or subscribe to a feed with "
    "`/learn calendar URL`."
)
CALENDAR_STATUS = (
    "Your calendar ({source}) covers {events} until {until:%a} {until.day} {until:%b}."
)
CALENDAR_LAST_ERROR = "The last refresh failed: {error} I kept the calendar as it was."
CALENDAR_SOURCE_FILE = "an imported file"
CALENDAR_SOURCE_URL = "a feed at {host}"
CALENDAR_KEPT = "{error} Your previous calendar is unchanged."
CALENDAR_NOT_ICS = "That file is not a calendar: I read .ics files only."
# Why a feed could not be fetched, by the fetcher's failure kind (bot.features.fetch).
CALENDAR_FEED_FAILED = {
    "url": "A calendar address must start with https:// (or http://).",
    "credentials": "A calendar address must not contain a user name or password.",
    "unknown_host": "The calendar server's name could not be found.",
    "private": (
        "That calendar address points to a private or local network, "
        "which I am not allowed to fetch from."
    ),
    "unreachable": "The calendar server could not be reached ({reason}).",
    "status": "The calendar server answered HTTP {status}.",
    "too_big": "The calendar is larger than {mb:.0f} MB, which is my limit.",
    "redirects": "The calendar address redirects too many times.",
    "timeout": "The calendar server took too long to answer.",
}
CALENDAR_USAGE = (
    "Use `/learn calendar URL` to subscribe to an ICS feed, `/learn calendar off` to remove "
    "it, or send me an .ics file."
)

# Nudge commands and buttons
NUDGES_TITLE = "Your upcoming nudges"
NUDGES_NONE = "Nothing is planned for the next 7 days."
NUDGES_NOT_ONBOARDED = "I plan nudges once your profile is set up: type `/learn start`."
NUDGES_LINE = "**{when}** · {heading}: {title}\n{reason}"
NUDGES_PAUSED = "Nudges are paused until {until}. `/learn resume` turns them back on."
NUDGES_SNOOZED = "Nudges are snoozed until {until}."
NUDGES_STOPPED = "You stopped nudges. `/learn resume` turns them back on."
NUDGES_HELP = (
    "`/learn snooze [HOURS]`, `/learn pause [DAYS]` and `/learn resume` change this; "
    "`/learn profile set hours|days|quiet|nudges-per-day|nudges-per-week` sets when and how often."
)
SNOOZED = "Snoozed: no nudges until {until}."
PAUSED = "Paused: no nudges until {until}. `/learn resume` turns them back on."
RESUMED = "Nudges are back on. `/learn nudges` shows what is planned."
BAD_HOURS = "'{value}' is not a number of hours between 1 and {limit}."
BAD_DAYS = "'{value}' is not a number of days between 1 and {limit}."
NUDGE_STARTED = "Let's go: **{title}**."
NUDGE_STARTED_REVIEW = "Let's review the answers that are fading: type `/learn quiz` to begin."
NUDGE_SNOOZED = (
    "Snoozed for an hour: I'll bring this back at {at}, or at the next free moment after."
)
NUDGE_NOT_TODAY_DONE = "Got it: no more nudges today."
NUDGE_FEWER_DONE = "Got it: fewer of these, at most {quota} a week from now on."
NUDGE_STOPPED = "Nudges stopped. `/learn resume` turns them back on whenever you like."
NUDGE_ALREADY = "Already done."
NOT_YOUR_NUDGE = "That nudge was sent to someone else, so I ignored the click."

# Home tab summaries
HOME_PATH_SUMMARY = "{steps} to go, about {minutes} min. Next: **{title}**. {reason}"
HOME_PROGRESS_SUMMARY = "{done} of {total} done; {mastered} of {competencies} mastered or exempted."
HOME_NUDGE_SUMMARY = "{at} (your time): {title}. {reason}"

# Roles and the org chart
OTHER_WORKSPACE = "That user is in another workspace; I only act on people of your own workspace."
USER_UNKNOWN = "I don't know {ref}: they have not talked to learnbot yet."
USER_AMBIGUOUS = "More than one person is called {ref}; mention them instead."
ROLE_UNKNOWN = "'{role}' is not a role I can grant; use admin or manager."
ROLE_GUEST = "{name} is a guest, and guests can never be managers or admins."
ROLE_FROM_SETTINGS = "{name} is an admin through LEARNBOT_ADMINS; remove them there instead."
ROLE_FROM_ORG = "{name} has reports in the org chart, so they stay a manager; change the chart."
ROLE_GRANTED = "{name} is now {role}. Roles: {roles}."
ROLE_REVOKED = "{name} is no longer {role}. Roles: {roles}."
ORG_NOT_UTF8 = "The org chart is not UTF-8 text; nothing was imported."
ORG_MISSING_COLUMNS = (
    "The org chart is missing the column(s) {columns} (line 1); nothing was imported. "
    "It needs email, manager_email, department, location and role."
)
ORG_EMPTY = "The org chart has no people in it; nothing was imported."
ORG_BAD_EMAIL = "Line {line}: '{email}' is not an email address; nothing was imported."
ORG_DUPLICATE = "Line {line}: {email} is already listed on line {first}; nothing was imported."
ORG_UNKNOWN_MANAGER = "Line {line}: the manager {manager} is not in the file; nothing was imported."
ORG_LOOP = "Line {line}: reporting loop {chain}; nothing was imported."
ORG_IMPORTED = "Imported the org chart: {people}, {managers}, {linked} already known to me."

# Admin: uploads from a URL
FETCH_BAD_URL = "{url} is not an http(s) URL I can fetch."
FETCH_UNREACHABLE = "I couldn't fetch {url} ({reason}); nothing was added."
FETCH_PRIVATE = "{url} points to a private network address, which I don't fetch from."
FETCH_TOO_BIG = "{url} is larger than {limit} MB, the upload limit; nothing was added."
FETCH_UNSUPPORTED = (
    "{url} is {mime}, which I can't add to the library. "
    "Supported: Markdown, HTML, PDF, Word (.docx) and plain text."
)

# Admin commands
ADMIN_USAGE = (
    "Use `/learn admin` with one of: grant @user ROLE, revoke @user ROLE, upload URL, modules, "
    "show MODULE, retag MODULE tag1,tag2, retire MODULE, restore MODULE, reindex, gaps, items, "
    "lessons, equity ATTRIBUTE."
)
ROLE_SELF_REVOKE = "You can't take away your own admin role; ask another admin."
LIBRARY_MISSING = "The content library is not set up on this server."
MODULE_UNKNOWN = "There is no module '{module}' in the library."
AND_MORE = "... and {count} more."
ADMIN_NO_MODULES = (
    "The library has no modules yet. Send me a document or use `/learn admin upload URL`."
)
ADMIN_MODULES_TITLE = "Library modules ({count})"
ADMIN_RETAGGED = "Tags of `{module}` are now: {tags}."
ADMIN_RETIRED = "Retired `{module}`: it leaves paths and answers until restored."
ADMIN_RESTORED = "Restored `{module}`."
ADMIN_REINDEXED = "Rebuilt the search index from {sections}."
ADMIN_NO_GAPS = "No unanswered or badly answered questions are recorded."
ADMIN_GAPS_TITLE = "Content gaps: {questions}, in {groups} of the same meaning"
ADMIN_GAP_LINE = "{count}x _{example}_ ({status}{bad}; first {first}, last {last})"
ADMIN_GAP_BAD = ", {count} not helpful"
ADMIN_ITEMS_TITLE = "Quiz item statistics (flagged items below)"
ADMIN_NO_FLAGS = "No item is flagged."
EQUITY_TITLE = "Equity by {attribute}"
EQUITY_GROUP = "**{group}** ({n}): recommended {rec}, exempted {exempt}, completed {done}"
EQUITY_SMALL = "**{group}** ({n}): too small to compare"
EQUITY_GAP = "{mark}{metric}: {points:.1f} points between {high} and {low}"
EQUITY_MISSING = "Not counted: {learners} never shown a path."
IMPORT_QUIZ_FAILED = "Nothing was imported from {name}: line {line}: {error} ({problems} in all)."
IMPORT_QUIZ_DONE = "Imported {items} from {name} ({skipped} unsupported skipped)."
IMPORT_FRAMEWORK_DONE = "Replaced the framework with {name}: {competencies}, {roles}."

# Data rights
MY_DATA_TITLE = "Everything learnbot stores about you"
MY_DATA_SENT = "Here is everything I store about you, as a JSON file."
FORGET_CONFIRM = (
    "This deletes **everything** I store about you: profile, answers, progress, questions, "
    "feedback and exemptions, on every platform. It cannot be undone. Delete it all?"
)
FORGET_YES = "Yes, delete everything"
FORGET_NO = "No, keep it"
FORGET_KEPT = "Nothing was deleted."
FORGET_DONE = (
    "Done: everything I stored about you is deleted. If you write to me again, I start afresh."
)

# Managers: team reports and assignments
RISK_OVERDUE = "overdue: {modules}"
RISK_DUE_SOON = "due within a week: {modules}"
RISK_FAILED = "failed repeated checks on {competencies}"
RISK_STALLED = "no learning activity for {days} days"
RISK_PREDICTED = "predicted risk {p} ({why})"
RISK_WHY_IDLE = "days since the last activity"
RISK_WHY_BEHIND = "behind the time elapsed"
RISK_WHY_LOAD = "remaining work beyond the free time"
RISK_WHY_FAILED = "failed checks"
RISK_WHY_IGNORED = "unanswered nudges"
RISK_WHY_TENURE = "time since joining"
RISK_WHY_NONE = "no single feature stands out"
RISK_BASIS_MODEL = (
    "Predicted risk: a model trained on {examples} whose target date has passed "
    "({late} of them missed a due date) flags {flag} and above, with its top reasons; "
    "the rules' flags are shown too."
)
RISK_BASIS_RULES = (
    "At risk by the rules only: the predicted-risk model needs {min} whose target "
    "date has passed, with at least {each} who missed a due date and {each} who did not; "
    "there are {examples} ({late} missed)."
)
TEAM_NO_DEPARTMENT = "(no department)"
TEAM_NOT_YOURS = "{name} is not part of your team, so I can't show their progress."
TEAM_UNKNOWN_COMPETENCY = "I don't know the competency '{name}'."
TEAM_TITLE = "Team of {name}"
TEAM_EVERYONE = "All learners"
TEAM_EMPTY = "Nobody in your team has talked to me yet (the org chart lists who reports to you)."
TEAM_TOO_SMALL = (
    "This team has fewer than {min} people, so I don't show numbers in a channel. "
    "I sent you the details privately."
)
TEAM_F_MEMBERS = "Members"
TEAM_F_OVERDUE = "With overdue training"
TEAM_F_AT_RISK = "At risk"
TEAM_F_UNVERIFIED = "Modules done, not verified"
TEAM_COMPLETION = "Path completion"
TEAM_MASTERY_TITLE = "Mastery by competency"
TEAM_MASTERY_LINE = "`{comp}`: {n} assessed, mean {mean}, mastered {mastered}"
TEAM_DEPT_TITLE = "By department"
TEAM_DEPT_LINE = "**{dept}** ({n}): completion {rate}"
TEAM_GROUPS_HIDDEN = "Groups smaller than {min} are not shown in a channel."
TEAM_NOBODY_AT_RISK = "Nobody in the team is at risk right now."
TEAM_AT_RISK_TITLE = "At risk ({count})"
TEAM_MORE_IN_CSV = "... and {count} more: `/learn team --csv` has everyone."
TEAM_DETAIL_SENT = "Per-person detail for the team report (only you see this)."
TEAM_CHART_MASTERY = "Mean mastery (%)"
TEAM_CHART_COMPLETION = "Learners by path completion (%)"
TEAM_CHART_ALT = "Bar chart of mean mastery per competency and a histogram of path completion"
ASSIGN_USAGE = "`/learn assign MODULE @person|team [due YYYY-MM-DD]`"
ASSIGN_BAD_DATE = "'{date}' is not a date; use YYYY-MM-DD, e.g. 2026-12-31."
ASSIGN_PAST_DATE = "The due date {date} is in the past; pick today or a later day."
ASSIGN_NOT_YOUR_REPORT = "{name} does not report to you, so you can't assign them work."
ASSIGN_DONE = "Assigned `{module}` to {people}{due}. It is now required in their path."
ASSIGN_DUE = ", due {date}"
ASSIGN_NO_TEAM = (
    "You have no reports in the org chart, so `team` names nobody. Name a person instead, "
    "for example `/learn assign MODULE @ana`."
)
TEAMS_FILE_HOST_REFUSED = (
    "I only download files stored in SharePoint or OneDrive, and **{name}** is stored "
    "elsewhere, so I did not fetch it. Please share it from OneDrive or a Teams channel."
)
TERMINAL_DIRECT_ELSEWHERE = (
    "(a message for {who} was not delivered: the terminal chat only reaches you)"
)

# Framework imports that would empty the framework
FRAMEWORK_WOULD_REMOVE = (
    "This framework has no {what} at all, so importing it would remove every {what} and "
    "empty learners' paths. Nothing was changed. If that is what you want, import it with "
    "`--replace-all` from the command line."
)
FRAMEWORK_EMPTY = (
    "This file has no competencies and no roles (is it a framework?). Nothing was changed."
)

# Lessons
LESSON_UNKNOWN = "no module '{key}': give a module id, title or source file path"
LESSON_AMBIGUOUS = "'{key}' matches several modules ({ids}): give a module id"
LESSON_NO_CARDS = (
    "module '{module}' has no lesson cards yet: run `learnbot ingest` on its files again to "
    "build them"
)
PRACTICE = "Practice: {stem}{several}\n{options}"
PRACTICE_SEVERAL = " (choose all that apply)"
PRACTICE_TRUE_FALSE = "Practice: {stem}\nTrue or false?"
LESSON_CHECK = (
    "Check: {count} questions in the bank cover {names}. "
    "Show what you learned with `/learn check {first} {module}`."
)

# The lesson dialog
LESSON_PROGRESS = "Card {n} of {total} · about {minutes} left"
LESSON_CONTINUE = "Continue"
LESSON_BACK = "Back"
LESSON_SKIP = "Skip this part"
LESSON_LATER = "Later"
LESSON_PASS = "Skip question"
LESSON_NEXT_STEP = "Next step"
LESSON_SKIP_NOTE = "You've already shown you know {title}, so you may skip this part."
LESSON_PRACTICE_TITLE = "**Practice question**\n{stem}"
LESSON_PRACTICE_GONE = "This practice question was removed from the question bank. Continue."
LESSON_AFTER_PRACTICE = "Continue when you're ready."
LESSON_USE_BUTTONS = "Use the buttons under the card (in the terminal, type a button's number)."
LESSON_CHECK_CARD = (
    "That's the whole lesson. Last step: a short mastery check on **{title}** (up to 5 "
    "questions). Passing it marks this module done."
)
LESSON_CHECK_LATER = (
    "OK. The mastery check for **{title}** is waiting: `/learn done` offers it whenever "
    "you're ready."
)
LESSON_PAUSED = (
    "Paused at card {n} of {total} of **{title}**. Type `/learn study` (or `/learn next`) to "
    "pick up where you left off."
)
LESSON_FINISHED = "You finished **{title}**, so it is marked done."
LESSON_FINISHED_SHORT = "Lesson finished"
LESSON_GONE = (
    "This module is no longer in the library, so the lesson has ended. `/learn path` shows "
    "what to study next."
)
LESSON_CARD_CLOSED = (
    "That card is closed: the lesson has moved on. Use the buttons of the newest card, or "
    "type `/learn study` to see where you are."
)
LESSON_RATE_ASK = "Optional: how was this lesson?"
LESSON_RATE_USEFUL = "Useful"
LESSON_RATE_NOT_USEFUL = "Not useful"
LESSON_RATE_TOO_LONG = "Too long"
LESSON_RATED = "Thanks, noted. It helps whoever looks after this module."
LESSON_RATE_STALE = "That rating button is for a lesson you haven't opened."
STUDY_UNKNOWN = (
    "There is no module '{key}' to study. Name it by its id or title: `/learn path` lists yours."
)
LESSON_STARTING = "**{title}**: {cards}, about {minutes}."
LESSON_SIZE = "The lesson: {cards}, about {minutes}."
LESSON_REVIEWING = "**{title}**, card {n} of {total}: the part of the lesson to review."
LESSON_RESUMING = "Picking up **{title}** where you left off: card {n} of {total}."
LESSON_NOTHING_TO_STUDY = (
    "There's nothing on your path to study right now. Name a module: `/learn study MODULE`."
)
LESSON_NO_LESSON = (
    "**{title}** has no lesson to read in the chat yet (an administrator can re-ingest it)."
)
LESSON_ADMIN_TITLE = "Lessons"
LESSON_ADMIN_EMPTY = "Nobody has opened a lesson yet."
LESSON_ADMIN_LINE = (
    "**{title}** (`{module}`): {started} started, {finished} finished{left}{ratings}{answers}"
)
LESSON_ADMIN_LEFT = "; most often left on card {card} ({count})"
LESSON_ADMIN_RATINGS = "; rated {ratings}"
LESSON_ADMIN_ANSWERS = "; {answers} practice answers, {correct}% right"
# Module pages
OPEN_FULL_MODULE = "Open the full module"
PAGE_TITLE = "{title} · {org}"
PAGE_MINUTES = "About {minutes} min"
PAGE_YOUR_PROGRESS = "Your progress: {status}"
PAGE_PROGRESS = {
    "started": "started",
    "done": "done",
    "unverified": "done, not verified (mastery check not passed)",
    "skipped": "skipped",
    "": "not started",
}
PAGE_REQUIRED_BY = "required on your path by {date}"
PAGE_NEXT_STEP = "the next step on your path"
PAGE_LESSON_AT = "lesson in the chat: at card {n} of {total}"
PAGE_LESSON_READ = "lesson in the chat: read to the end"
PAGE_OPEN_MEDIA = "Open it"
PAGE_EMPTY = "This module has no text yet."
PAGE_NOT_READY = (
    "This module's page has not been built yet: it appears after the library is ingested again."
)
PAGE_IMAGE = "Image: {alt}"
PAGE_CONTENTS = "Contents"
PAGE_FOOTER = "From the learning library of {org}. This link expires on {date}."
PAGE_FOOTER_FILE = "Saved from the learning library of {org}."
PAGE_REFUSED_TITLE = "This page cannot be opened"
PAGE_REFUSED = {
    "invalid": "This link is not valid. Ask the bot for the module again to get a new link.",
    "expired": "This link has expired. Ask the bot for the module again to get a new link.",
    "unavailable": (
        "This module is not available to you, or is no longer in the library. "
        "Ask the bot what to study next."
    ),
}
PAGE_FAILED_TITLE = "This page is not available right now"
PAGE_FAILED = "Something went wrong on our side. Try the link again in a few minutes."
PAGE_NOT_FOUND = "There is nothing here. Check the link, or ask the bot for the module again."
# Secrets at rest (stored OAuth tokens sealed with LEARNBOT_SECRET_KEY)
SECRET_KEY_MISSING = (
    "stored Slack tokens are encrypted, but LEARNBOT_SECRET_KEY is not set: set it to the key "
    "they were encrypted with"
)
SECRET_KEY_WRONG = (
    "LEARNBOT_SECRET_KEY does not decrypt the stored Slack tokens: set it back to the key they "
    "were encrypted with (to change keys, put the old one in LEARNBOT_OLD_SECRET_KEYS)"
)
SECRET_KEY_UNSET = (
    "LEARNBOT_SECRET_KEY is not set, so OAuth tokens are stored in plaintext in the database"
)

# Content index health and rebuilds
LIBRARY_REBUILDING = (
    "The library's search index is being rebuilt, so I can't look this up right now. "
    "Please ask again in a minute."
)

# Terminal chat with an email (`learnbot chat --email`)
TERMINAL_BAD_EMAIL = "'{email}' is not an email address"
TERMINAL_EMAIL_ONLY = (
    "--email is for terminal users: Slack and Teams users' emails come from their platform"
)

# Spaced review: what fades, on which module, since when
WHY_REVIEW_GROUPED = (
    "{groups} {verb} fading: your chance of recalling {them} is now below {target:.0%}. "
    "{A_minutes} {minutes}-minute review now keeps {them}."
)
REVIEW_GROUP_ON = "{answers} on {title} {since}"
REVIEW_GROUP_NO_MODULE = "{answers} {since}"
REVIEW_GROUP_MORE = "{count} more on other modules"
REVIEW_SINCE_TODAY = "from today"
REVIEW_SINCE_YESTERDAY = "from yesterday"
REVIEW_SINCE_DAYS = "from {days} days ago"
REVIEW_SINCE_LAST_WEEK = "from last week"
REVIEW_SINCE_WEEKS = "from {weeks} weeks ago"
REVIEW_SINCE_MONTHS = "from {months} months ago"


def review_since(days: int) -> str:
    """How long ago answers were given, in words: "from yesterday", "from last week"."""
    if days <= 0:
        return REVIEW_SINCE_TODAY
    if days == 1:
        return REVIEW_SINCE_YESTERDAY
    if days < 7:
        return REVIEW_SINCE_DAYS.format(days=days)
    if days < 14:
        return REVIEW_SINCE_LAST_WEEK
    if days < 60:
        return REVIEW_SINCE_WEEKS.format(weeks=days // 7)
    return REVIEW_SINCE_MONTHS.format(months=days // 30)


def review_group(count: int, title: str | None, days: int) -> str:
    """One module's fading answers: "3 answers on Phishing from last week"."""
    answers = plural(count, "answer")
    if title is None:
        return REVIEW_GROUP_NO_MODULE.format(
            answers=plural(count, "quiz answer"), since=review_since(days)
        )
    return REVIEW_GROUP_ON.format(answers=answers, title=title, since=review_since(days))


def join_and(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# Team risks: due dates the free time cannot meet
RISK_NO_TIME = (
    "not enough time for {module} by {due:%a} {due.day} {due:%b}: about {needed} of "
    "the path before it, about {available} at their pace"
)

# Coach: a person asked to help after repeated failed checks
CHECK_ESCALATED_MANAGER = (
    "That is {count} checks on **{title}** in a row without a pass, so I have asked your "
    "manager, {name}, to help: a person will follow up with you."
)
COACH_TOPICS = "Topics missed"
COACH_REPLY_BUTTON = "Reply to {name}"
COACH_ASSIGN_BUTTON = "Assign the module again"
COACH_WAIVE_BUTTON = "Waive the module"
COACH_REPLY_PROMPT = (
    "Type your message to {name} about **{title}** (up to {limit}); it goes to "
    "them in a direct message, from you. Or press Cancel."
)
COACH_REPLY_CANCEL = "Cancel"
COACH_REPLY_CANCELLED = "Nothing was sent to {name}."
COACH_REPLY_EMPTY = (
    "Your message to {name} is empty. Type what you want to tell them, or press Cancel."
)
COACH_REPLY_TOO_LONG = (
    "Your message to {name} is {length} long; it can be at most {limit}. "
    "Shorten it and send it again, or press Cancel. Nothing was sent."
)
COACH_REPLY_DELIVERED = "Sent to {name}."
COACH_MESSAGE_TO_LEARNER = "**{coach}** replied about {title}:\n{text}"
COACH_MESSAGE_SUMMARY = "{coach} replied about {title}"
COACH_ASSIGNED_TO_LEARNER = (
    "{coach} assigned **{module}** to you again: type `/learn next` to take it once more."
)
COACH_ASSIGNED = "Assigned {module} to {name} again; it is back on their path."
COACH_WAIVED_TO_LEARNER = "{coach} waived **{module}** for you: it is off your path."
COACH_WAIVED = "Waived {module} for {name}; it is off their path."
COACH_NOT_ALLOWED = "Only {name}'s managers and admins can do that."
COACH_NOT_ASKED = "You were not asked to help {name} with that."
COACH_GONE = "That learner is no longer here, so there is nothing to do."
COACH_WAIVE_REASON = "waived by {actor} after {failures} failed checks on {competency}"

# Names: competencies and modules named by id, title or a title's prefix
NAME_AMBIGUOUS = "'{name}' could be more than one {kind}: {found}. Say which (an id is safest)."
NAMES_MORE = " and {count} more"

# Mastery on the home tab (the same number as every other screen)
HOME_MASTERY = "Chance of mastery: {items}."
HOME_MASTERY_ITEM = "{title} {pct}"

# Quiz-bank import: the competency given on the command line
IMPORT_UNKNOWN_COMPETENCY = (
    "--competency '{name}' is not a competency of the framework (known: {known})."
)

# Terminal chat: typed numbers pick the buttons of the last answer
TERMINAL_ONE_OPTION = "There is one option here: type 1 to choose it."
TERMINAL_PICK_RANGE = "Choose a number between 1 and {count}."
TERMINAL_OPEN = "Open {url}"
TERMINAL_ONE_LIST = "Pick one option, or several options of the same list."
NUMBER_WITHOUT_BUTTONS = (
    "There is no button for {number} to pick right now. Ask a question in words, or type "
    "`/learn help` to see what I can do."
)

# Learning path: the short view of `/learn path` and its Show all button
PATH_MORE_LATER = "Then {steps} in {sessions}."
PATH_MORE_LEFT_OUT = "{steps} done or not needed."
PATH_SHOW_ALL_HINT = "Tap Show all, or type `/learn path all`, to see the whole path."
PATH_SHOW_ALL = "Show all"
PATH_USAGE = (
    "I don't know `/learn path {word}`. Use `/learn path`, `/learn path all` or "
    "`/learn path why MODULE`."
)

# Managers: one person's progress (`/learn team @person`) and a named lead's empty team
TEAM_PERSON_TITLE = "Progress of {name}"
TEAM_PERSON_SENT = "I sent you this person's progress privately."
TEAM_PERSON_MASTERY = "`{comp}`: {p}"
TEAM_PERSON_RISKS = "{name} needs help: {risks}."
TEAM_PERSON_OK = "Nothing in {name}'s learning needs your attention right now."
TEAM_F_DONE = "Steps done"
TEAM_F_TODO = "Steps to do"
TEAM_EMPTY_OF = (
    "Nobody in {name}'s team has talked to me yet (the org chart lists who reports to them)."
)

# Bursts: one person's messages beyond their queue (LEARNBOT_LEARNER_QUEUE)
SLOW_DOWN = (
    "You sent me a lot of messages at once. I'm answering the first {limit} in order and "
    "skipped the rest: please send those again, one at a time, once I've answered."
)
ONBOARDING_NUMBER = (
    "There is no button with that number here. Click a button, or type your answer in words."
)
# Questions and answers: messages that ask nothing, unsure answers, follow-ups
NOT_A_QUESTION = (
    "I answer questions about the learning library, for example "
    '"How do I request time off?". `/learn help` lists everything else I can do.'
)
UNSURE = (
    "I'm not sure the learning library answers that, so I won't guess. "
    "I've noted the question for the content team."
)
MAY_HELP = "These may help:\n{modules}"
