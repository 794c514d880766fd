from journal_desktop.launch import main

raise SystemExit(main())
