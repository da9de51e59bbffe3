from pyarb.cli import main

main()
