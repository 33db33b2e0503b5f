/* tunneld.c: under construction */
int main(void) { return 1; }
