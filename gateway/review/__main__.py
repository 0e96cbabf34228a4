from gateway.review.app import main

main()
