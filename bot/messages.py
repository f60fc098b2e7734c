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

# Slack
LOOKING_UP = "Looking that up…"
ANSWER_IN_DM = "I'll answer in our direct messages."
NOT_INSTALLED = (
    "learnbot is not installed in this workspace any more. Ask an admin to reinstall it."
)
UPLOAD_ADMINS_ONLY = (
    "Thanks for the file! Only learnbot admins can add files to the learning library, so I "
    "did not open it. Ask an admin if it should be added."
)
UPLOAD_TOO_BIG = (
    "That file is {size:,} bytes; I take files up to {limit:,} bytes "
    "(LEARNBOT_MAX_UPLOAD_MB), so I did not download it."
)
UPLOAD_SIZE_UNKNOWN = "Slack did not tell me the size of that file, so I did not download it."
UPLOAD_NOT_ON_SLACK = "That file is not stored on Slack, so I did not download it."
UPLOAD_READ_TOO_BIG = "The file is larger than {limit:,} bytes, so I stopped reading it."
UPLOAD_FAILED = "Downloading the file from Slack failed. Please share it again in a minute."
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
