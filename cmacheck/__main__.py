from cmacheck.cli import main

main()
