//! The one use-case API that the CLI and the desktop shell both call.
