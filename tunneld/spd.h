#ifndef TUNNELD_SPD_H
#define TUNNELD_SPD_H
#endif
