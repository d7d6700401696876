import sys

from huddle.cli.main import main

sys.exit(main())
