#ifndef TUNNELD_CTL_H
#define TUNNELD_CTL_H
#endif
