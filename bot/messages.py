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
RELATED = "These modules might still help:\n{modules}"
THANKS_FEEDBACK = "Thanks, noted. It helps improve the library."

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
UPLOAD_DONE = (
    "Added {name} to the library ({chunks} sections indexed). Learners can ask about it now."
)
# Learning paths
PATH_TITLE = "Your learning path"
PATH_SUMMARY = (
    "{steps} to study, about {minutes} min in {sessions} of up to {session} min "
    "(about {weeks} at a {pace} pace)."
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
PROGRESS_COUNTS = "{done} of {total} steps done; about {minutes} min left."
PROGRESS_NO_EVIDENCE = "{title} (no evidence yet)"
PROGRESS_EXEMPT = "{title} (exempt)"
PROGRESS_NONE = "Nothing to show yet: set your role or goals, then type `/learn path`."
STREAK = "Streak: {days} in a row with learning activity."
STREAK_NONE = "No streak yet: study a step today to start one."
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
    "{target:.0%}. A {minutes}-minute review now keeps them."
)
WHY_REVIEW_ONE = (
    "One of your quiz answers is fading: your chance of recalling it is now below {target:.0%}. "
    "A {minutes}-minute review now keeps it."
)
WHY_NEXT_STEP = "You have {free} free minutes now; next on your path: {title} ({minutes} min)."
WHY_REQUIRED = "Required training {title} is due {when}; it takes about {minutes} minutes."
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
}
NUDGE_START = "Start"
NUDGE_SNOOZE = "Snooze 1 hour"
NUDGE_NOT_TODAY = "Not today"
NUDGE_FEWER = "Fewer like this"
NUDGE_STOP = "Stop nudges"
NUDGE_FOOTER = "About {minutes} min. `/learn nudges` shows what is planned and why."

# Calendar
CALENDAR_IMPORTED = (
    "Imported your calendar: {events} events in the next {days} days, {busy} of them busy. "
    "I plan nudges around your busy times and keep only times, titles and descriptions."
)
CALENDAR_SUBSCRIBED = (
    "Subscribed to your calendar feed: {events} events in the next {days} days, {busy} of "
    "them busy. I refresh it every {hours:g} hours; `/learn calendar off` removes it."
)
CALENDAR_SKIPPED = "{skipped} events without a start time were left out."
CALENDAR_REMOVED = "Removed your calendar and every event I had from it."
CALENDAR_NONE = (
    "You have no calendar connected. Send me an .ics file, or subscribe to a feed with "
    "`/learn calendar URL`."
)
CALENDAR_STATUS = (
    "Your calendar ({source}) covers {events} events until {until:%a} {until.day} {until:%b}."
)
CALENDAR_LAST_ERROR = "The last refresh failed: {error} I kept the calendar as it was."
CALENDAR_SOURCE_FILE = "an imported file"
CALENDAR_SOURCE_URL = "a feed at {host}"
CALENDAR_KEPT = "{error} Your previous calendar is unchanged."
CALENDAR_NOT_ICS = "That file is not a calendar: I read .ics files only."
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
HOME_PATH_SUMMARY = "{steps} steps to go, about {minutes} min. Next: **{title}**. {reason}"
HOME_PROGRESS_SUMMARY = (
    "{done} of {total} path steps done; {mastered} of {competencies} competencies mastered "
    "or exempted."
)
HOME_NUDGE_SUMMARY = "{at} (your time): {title}. {reason}"
