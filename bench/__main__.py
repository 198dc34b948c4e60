import sys

if sys.argv[1:2] == ["photos"]:
    from .photos import main
    sys.exit(main(sys.argv[2:]))

from .run import main

sys.exit(main())
