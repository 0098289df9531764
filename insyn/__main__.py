from insyn.cli import main

main()
