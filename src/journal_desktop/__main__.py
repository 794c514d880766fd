from journal_desktop.cli import main

raise SystemExit(main())
