from vcl_qa.cli import main

main()
