from hvbpa.entry import run

run()
