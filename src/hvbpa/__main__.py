from hvbpa.cli import main

main()
