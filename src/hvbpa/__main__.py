from hvbpa.cli import run

# Guarded: a scan worker started with "spawn" imports this module again.
if __name__ == "__main__":
    run()
