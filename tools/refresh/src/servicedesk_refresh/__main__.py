"""`python -m servicedesk_refresh [--max-concurrency N] [--max-retries N] [--dry-run] …`"""

import sys

from servicedesk_refresh.cli import main

sys.exit(main())
