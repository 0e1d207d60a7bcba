# Unit tests of task 4's two services: their logic files (counter.c,
# external.c) and the shared plumbing's pure parts (service.c: argument
# parsing, request_ready), driven without a network. service.c calls
# libmicrohttpd, hence -lmicrohttpd.
T4_CS := $(ROOT)/task4/counter-service
T4_ES := $(ROOT)/task4/external-service
T4_HC := $(ROOT)/task4/http-common

UNIT_TESTS += test_counter_service test_external_service

test_counter_service: test_counter_service.c $(T4_CS)/counter.c $(T4_HC)/service.c $(T4_CS)/counter.h $(T4_HC)/service.h
	$(CC) $(CFLAGS) -I$(T4_CS) -I$(T4_HC) -o $@ $(filter %.c,$^) -lcmocka -lmicrohttpd -lpthread

test_external_service: test_external_service.c $(T4_ES)/external.c $(T4_HC)/service.c $(T4_ES)/external.h $(T4_HC)/service.h
	$(CC) $(CFLAGS) -I$(T4_ES) -I$(T4_HC) -o $@ $(filter %.c,$^) -lcmocka -lmicrohttpd
