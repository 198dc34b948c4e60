import sys

if sys.argv[1:2] == ["realworld"]:
    from .realworld import main
    sys.exit(main(sys.argv[2:]))

if sys.argv[1:2] == ["render"]:
    from .render import main as render_main
    sys.exit(render_main(sys.argv[2:]))

if sys.argv[1:2] == ["photos"]:
    from .photos import main as photos_main
    sys.exit(photos_main(sys.argv[2:]))

from .run import main

sys.exit(main())
