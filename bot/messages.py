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
