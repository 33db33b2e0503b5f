#ifndef TUNNELD_SAD_H
#define TUNNELD_SAD_H
#endif
