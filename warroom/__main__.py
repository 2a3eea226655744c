from warroom.main import main

raise SystemExit(main())
